"""SQLModel tables. Field names match the dataclasses in workflow.model one-to-one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


def _when(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable, index=index)


def _bigint(nullable: bool = False, index: bool = False, unique: bool = False) -> Any:
    return Field(
        default=None, sa_type=BigInteger, nullable=nullable, index=index, unique=unique
    )


class DepartmentRow(SQLModel, table=True):
    __tablename__ = "department"
    id: str = Field(primary_key=True, max_length=64)
    name: str
    active: bool = True


class ComplainantRow(SQLModel, table=True):
    __tablename__ = "complainant"
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = _bigint(unique=True)
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language: str = ""
    phone: str = ""
    created_at: datetime | None = _when()


class TicketRow(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_state_answer_due", "state", "answer_due"),
                      Index("ix_ticket_state_sign_due", "state", "sign_due"),
                      Index("ix_ticket_created_at", "created_at"),   # the office's periods
                      Index("ix_ticket_unplanned", "id",
                            sqlite_where=text("version <> planned_version"),
                            postgresql_where=text("version <> planned_version")))
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(unique=True, max_length=32)
    complainant_id: int = Field(foreign_key="complainant.id", index=True)
    anonymous: bool
    text: str = Field(sa_type=Text)
    accused: str = Field(default="", sa_type=Text)
    category: str = Field(max_length=32)
    department: str = Field(max_length=64, index=True)
    urgent: bool = False
    state: str = Field(max_length=16)
    tags: list[str] = _json(list)
    confidence: dict[str, float] = _json(dict)
    evidence: list[str] = _json(list)
    routing_note: str = Field(default="", sa_type=Text)
    created_at: datetime = _when(nullable=False)
    sign_due: datetime | None = _when()
    answer_due: datetime | None = _when()
    signed_by: int | None = _bigint(nullable=True)
    signed_at: datetime | None = _when()
    answered_at: datetime | None = _when()
    closed_at: datetime | None = _when()
    reopened_at: datetime | None = _when()
    double_check: bool = False
    extensions: int = 0
    rating: str = Field(default="", max_length=16)
    planned_version: int = 0
    version: int = 1


class TicketEventRow(SQLModel, table=True):
    __tablename__ = "ticket_event"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=32)
    at: datetime = _when(nullable=False)
    actor: str = Field(max_length=64)
    detail: dict[str, Any] = _json(dict)


class AttachmentRow(SQLModel, table=True):
    __tablename__ = "attachment"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=16)
    file_id: str = Field(sa_type=Text)
    file_unique_id: str = ""
    file_name: str = ""
    caption: str = Field(default="", sa_type=Text)


class ConversationRow(SQLModel, table=True):
    __tablename__ = "conversation"
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _bigint(unique=True)
    state: str = Field(default="idle", max_length=32)
    token: str = ""
    draft: dict[str, Any] = _json(dict)
    updated_at: datetime | None = _when()


class GroupBindingRow(SQLModel, table=True):
    __tablename__ = "group_binding"
    id: int | None = Field(default=None, primary_key=True)
    department: str = Field(foreign_key="department.id", unique=True, max_length=64)
    chat_id: int = _bigint(index=True)
    bound_at: datetime = _when(nullable=False)
    bound_by: int = _bigint()
    title: str = ""


class InviteCodeRow(SQLModel, table=True):
    __tablename__ = "invite_code"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=32)
    purpose: str = Field(max_length=16)
    department: str = Field(max_length=64)
    role: str = ""
    expires_at: datetime = _when(nullable=False)
    created_at: datetime = _when(nullable=False)
    used_at: datetime | None = _when()
    used_by: int | None = _bigint(nullable=True)


class ProcessedUpdateRow(SQLModel, table=True):
    __tablename__ = "processed_update"
    update_id: int = Field(sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: datetime = _when(nullable=False)


class TicketCounterRow(SQLModel, table=True):
    __tablename__ = "ticket_counter"
    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_not_before", "status", "not_before"),
                      Index("ix_outbox_chat_id_status", "chat_id", "status"),
                      Index("ix_outbox_status_claimed_at", "status", "claimed_at"))
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _bigint(index=True)
    payload: dict[str, Any] = _json(dict)
    dedupe_key: str = Field(unique=True, max_length=200)
    created_at: datetime = _when(nullable=False)
    not_before: datetime = _when(nullable=False)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    kind: str = Field(default="", max_length=32)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    claimed_at: datetime | None = _when()
    claimed_by: str = ""
    sent_at: datetime | None = _when()
    message_id: int | None = _bigint(nullable=True)
    error: str = Field(default="", sa_type=Text)


class StaffRow(SQLModel, table=True):
    __tablename__ = "staff"
    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = _bigint(unique=True)
    display_name: str = ""
    department: str = Field(foreign_key="department.id", max_length=64, index=True)
    role: str = Field(max_length=16)
    active: bool = True
    joined_at: datetime = _when(nullable=False)
    revoked_at: datetime | None = _when()


class ExtensionRequestRow(SQLModel, table=True):
    __tablename__ = "extension_request"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    requested_by: int = _bigint()
    reason: str = Field(default="", sa_type=Text)
    requested_due: datetime = _when(nullable=False)
    created_at: datetime = _when(nullable=False)
    status: str = Field(default="pending", max_length=16)
    decided_by: int | None = _bigint(nullable=True)
    decided_at: datetime | None = _when()


class ComplainantBlockRow(SQLModel, table=True):
    """Blocks of complainants by the office; active while lifted_at is NULL."""

    __tablename__ = "complainant_block"
    id: int | None = Field(default=None, primary_key=True)
    complainant_id: int = Field(foreign_key="complainant.id", index=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    reason: str = Field(default="", sa_type=Text)
    blocked_by: int = _bigint()
    blocked_at: datetime = _when(nullable=False)
    told_at: datetime | None = _when()
    appeal: str = Field(default="", sa_type=Text)
    appealed_at: datetime | None = _when()
    lifted_by: int | None = _bigint(nullable=True)
    lifted_at: datetime | None = _when()
    lift_reason: str = Field(default="", sa_type=Text)


class ScheduledActionRow(SQLModel, table=True):
    """Deadline actions; the sweep reads them through (status, due_at) only."""

    __tablename__ = "scheduled_action"
    __table_args__ = (Index("ix_scheduled_action_status_due_at", "status", "due_at"),
                      UniqueConstraint("ticket_id", "kind", "deadline",
                                       name="uq_scheduled_action_ticket_kind_deadline"))
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(max_length=32)
    due_at: datetime = _when(nullable=False)
    deadline: datetime = _when(nullable=False)
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    claimed_at: datetime | None = _when()
    claimed_by: str = ""
    error: str = Field(default="", sa_type=Text)


class LedgerRow(SQLModel, table=True):
    """The accountability ledger: 催办 / 督办 records per department and accountable person."""

    __tablename__ = "accountability"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "deadline",
                                       name="uq_accountability_ticket_kind_deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    department: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=32)
    deadline: datetime = _when(nullable=False)
    at: datetime = _when(nullable=False)
    accountable: int | None = _bigint(nullable=True, index=True)


class UpdateInboxRow(SQLModel, table=True):
    """A fetched update acknowledged to Telegram before it was handled (a backlog behind a
    busy chat): kept here, as Telegram sent it, until it is handled."""

    __tablename__ = "update_inbox"
    update_id: int = Field(sa_type=BigInteger, primary_key=True,
                           sa_column_kwargs={"autoincrement": False})
    chat_key: int | None = _bigint(nullable=True)
    body: str = Field(sa_column=Column(Text, nullable=False))   # JSON, ASCII-escaped
