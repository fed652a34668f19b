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
    reopened_at: datetime | None = None      # 二次办理 started
    double_check: bool = False               # 一案双查: handler and the unit's head are examined
    extensions: int = 0                      # approved extensions of the answer deadline
    rating: str = ""                         # satisfied | basic | unsatisfied | unrated
    planned_version: int = 0                 # the version whose deadline actions are planned
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
    status: str = "pending"          # pending | claimed | sent | failed | cancelled
    attempts: int = 0
    claimed_at: datetime | None = None
    claimed_by: str = ""
    sent_at: datetime | None = None
    message_id: int | None = None
    error: str = ""
    id: int | None = None


class Role(StrEnum):
    """Who may do what at the staff desk."""

    STAFF = "staff"                  # a department's case handler
    HEAD = "head"                    # a department's head: everything staff may, same department
    DUTY = "duty"                    # a department's on-call contact: staff who is woken at night
    SUPERVISOR = "supervisor"        # the oversight office (治庸问责办): arbitration, any department
    ADMIN = "admin"                  # runs the system; may act as the oversight office


@dataclass
class StaffMember:
    """A registered person: their Telegram id, the name colleagues see, department and role."""

    telegram_id: int
    display_name: str
    department: str
    role: str
    joined_at: datetime
    active: bool = True
    revoked_at: datetime | None = None
    id: int | None = None


@dataclass
class ExtensionRequest:
    """A department's request for a later answer deadline, decided by the oversight office."""

    ticket_id: int
    requested_by: int
    reason: str
    requested_due: datetime
    created_at: datetime
    status: str = "pending"          # pending | approved | refused | lapsed (ticket moved on)
    decided_by: int | None = None
    decided_at: datetime | None = None
    id: int | None = None


@dataclass
class ComplainantBlock:
    """The office stopped a complainant (known to it only by a ticket number) from using the
    bot: who and why, whether the person was told and appealed, and who lifted it."""

    complainant_id: int
    ticket_id: int
    reason: str
    blocked_by: int
    blocked_at: datetime
    told_at: datetime | None = None
    appeal: str = ""
    appealed_at: datetime | None = None
    lifted_by: int | None = None
    lifted_at: datetime | None = None
    lift_reason: str = ""
    id: int | None = None


@dataclass
class ScheduledAction:
    """A deadline action of a ticket (reminder, 催办, 督办, rating step), due at `due_at`.

    `deadline` is the deadline the action is about: (ticket, kind, deadline) is unique, so
    planning twice is harmless and a changed deadline plans fresh rows.
    """

    ticket_id: int
    kind: str
    due_at: datetime
    deadline: datetime
    status: str = "pending"          # pending | done | cancelled | failed
    attempts: int = 0
    claimed_at: datetime | None = None
    claimed_by: str = ""
    error: str = ""
    id: int | None = None


@dataclass
class LedgerEntry:
    """Accountability ledger: an overdue (催办) or 督办 record against a department and person."""

    ticket_id: int
    department: str
    kind: str                        # sign_urge | sign_supervise | urge | supervise
    deadline: datetime
    at: datetime
    accountable: int | None = None   # signed_by: the person who signed for the ticket
    id: int | None = None
