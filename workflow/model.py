"""Domain records. Plain dataclasses: storage maps them to tables field-by-field by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class TicketState(StrEnum):
    """The lifecycle of a ticket; the staff desk and deadline issues move tickets along it."""

    ROUTED = "routed"            # 待签收: sent to a department group
    SIGNED = "signed"            # 办理中: a named person is accountable
    TRIAGE = "triage"            # 待分派: returned / unsure, waiting for the oversight office
    ANSWERED = "answered"        # 待评价: answered, waiting for the complainant's rating
    REOPENED = "reopened"        # 二次办理: complainant not satisfied
    CLOSED = "closed"            # 已办结


OPEN_STATES = (TicketState.ROUTED, TicketState.SIGNED, TicketState.TRIAGE, TicketState.REOPENED)


@dataclass
class Complainant:
    telegram_id: int
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language: str = ""
    phone: str = ""
    created_at: datetime | None = None
    id: int | None = None


@dataclass
class Ticket:
    number: str
    complainant_id: int
    anonymous: bool
    text: str
    accused: str
    category: str
    department: str
    urgent: bool
    created_at: datetime
    state: str = TicketState.ROUTED
    tags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    routing_note: str = ""
    sign_due: datetime | None = None
    answer_due: datetime | None = None
    signed_by: int | None = None
    signed_at: datetime | None = None
    answered_at: datetime | None = None
    closed_at: datetime | None = None
    version: int = 1
    id: int | None = None


@dataclass
class TicketEvent:
    """Append-only: every state change, who did it and when."""

    ticket_id: int
    kind: str
    at: datetime
    actor: str                       # "citizen", "system", "staff:<id>", "office:<id>"
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


@dataclass
class Attachment:
    ticket_id: int
    kind: str                        # "photo" | "document"
    file_id: str
    file_unique_id: str = ""
    file_name: str = ""
    caption: str = ""
    id: int | None = None


@dataclass
class Conversation:
    """One row per private chat: where the citizen is in the filing flow, and the draft."""

    chat_id: int
    state: str = "idle"
    token: str = ""                  # binds buttons to this draft; stale buttons are refused
    draft: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    id: int | None = None


@dataclass
class GroupBinding:
    department: str
    chat_id: int
    bound_at: datetime
    bound_by: int
    title: str = ""
    id: int | None = None


@dataclass
class InviteCode:
    code: str
    purpose: str                     # "group"
    department: str
    expires_at: datetime
    created_at: datetime
    role: str = ""
    used_at: datetime | None = None
    used_by: int | None = None
    id: int | None = None


@dataclass
class OutboxMessage:
    """A notification waiting for delivery, written with the state change that caused it."""

    chat_id: int
    payload: dict[str, Any]
    dedupe_key: str
    created_at: datetime
    not_before: datetime
    ticket_id: int | None = None
    kind: str = ""
    status: str = "pending"          # pending | claimed | sent | failed
    attempts: int = 0
    claimed_at: datetime | None = None
    claimed_by: str = ""
    sent_at: datetime | None = None
    message_id: int | None = None
    error: str = ""
    id: int | None = None
