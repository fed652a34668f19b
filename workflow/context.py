"""What every service function needs, injected once at start (and by tests)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from workflow.deadlines.policy import DeadlinePolicy
from workflow.ports import Classify, Clock, Normalize, OfficeScreens, UnitOfWorkFactory


@dataclass(frozen=True)
class FilingRules:
    """[filing] in config.toml (defaults: bot/config.py)."""

    min_description_chars: int
    max_description_chars: int
    max_attachments: int
    max_accused_chars: int
    invite_ttl_hours: int
    max_messages_per_minute: int         # per person; one notice, then quiet dropping
    max_complaints_per_day: int          # new complaints per person per calendar day


@dataclass(frozen=True)
class DeskRules:
    """[desk] in config.toml (defaults: bot/config.py)."""

    allow_direct_transfer: bool
    max_answer_chars: int


@dataclass
class Context:
    uow: UnitOfWorkFactory
    clock: Clock
    classify: Classify
    deadlines: DeadlinePolicy
    tz: ZoneInfo
    departments: Mapping[str, int | None]          # id -> chat_id from config (None = unbound)
    rules: FilingRules
    desk: DeskRules
    office_screens: OfficeScreens
    normalize: Normalize = str          # the app injects the classifier's script normaliser

    def now(self) -> datetime:
        return self.clock.now()

    def local(self, dt: datetime) -> datetime:
        return dt.astimezone(self.tz)
