"""What every service function needs, injected once at start (and by tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.deadlines.policy import DeadlinePolicy
from workflow.ports import Classify, Clock, UnitOfWorkFactory

TRIAGE = "supervision"


@dataclass(frozen=True)
class FilingRules:
    min_description_chars: int = 10
    max_description_chars: int = 50000
    max_attachments: int = 10
    max_accused_chars: int = 300
    invite_ttl_hours: int = 24


@dataclass(frozen=True)
class DeskRules:
    """Staff desk options ([desk] in config.toml)."""

    allow_direct_transfer: bool = True
    max_answer_chars: int = 20000


@dataclass
class Context:
    uow: UnitOfWorkFactory
    clock: Clock
    classify: Classify
    deadlines: DeadlinePolicy
    tz: ZoneInfo
    departments: Mapping[str, int | None]          # id -> chat_id from config (None = unbound)
    rules: FilingRules = field(default_factory=FilingRules)
    desk: DeskRules = field(default_factory=DeskRules)

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, dt: datetime) -> datetime:
        return dt.astimezone(self.tz)
