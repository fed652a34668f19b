"""SQL implementations of workflow.ports; each works inside the unit of work's session."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, func, or_, union_all, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.event_log import EventLog
from storage.mapping import to_domain, to_row, values_of
from storage.tables import (
    AttachmentRow,
    ComplainantRow,
    ConversationRow,
    ExtensionRequestRow,
    GroupBindingRow,
    InviteCodeRow,
    OutboxRow,
    ProcessedUpdateRow,
    StaffRow,
    TicketCounterRow,
    TicketEventRow,
    TicketRow,
)
from workflow.model import (
    OPEN_STATES,
    Attachment,
    Complainant,
    Conversation,
    ExtensionRequest,
    GroupBinding,
    InviteCode,
    OutboxMessage,
    StaffMember,
    Ticket,
    TicketEvent,
)

OUTBOX_CLAIM_LOCK = 0x7A7901   # pg_advisory_xact_lock key: one outbox claim at a time


class _Repo:
    def __init__(self, session: AsyncSession, event_log: EventLog | None = None) -> None:
        self.s = session
        self.event_log = event_log or EventLog()   # ticket events, logged after commit

    def _insert(self, table: type):  # type: ignore[no-untyped-def]
        """INSERT builder of the session's dialect (both support ON CONFLICT … RETURNING)."""
        dialect = self.s.bind.dialect.name if self.s.bind else "sqlite"
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


class SqlComplainants(_Repo):
    async def by_telegram_id(self, telegram_id: int) -> Complainant | None:
        row = (await self.s.exec(
            select(ComplainantRow).where(ComplainantRow.telegram_id == telegram_id))).first()
        return to_domain(row, Complainant) if row else None

    async def get(self, complainant_id: int) -> Complainant | None:
        row = await self.s.get(ComplainantRow, complainant_id)
        return to_domain(row, Complainant) if row else None

    async def add(self, c: Complainant) -> Complainant:
        row = to_row(c, ComplainantRow)
        self.s.add(row)
        await self.s.flush()
        c.id = row.id
        return c

    async def save(self, c: Complainant) -> None:
        await self.s.exec(update(ComplainantRow).where(col(ComplainantRow.id) == c.id)
                          .values(**values_of(c)))  # type: ignore[call-overload]


class SqlConversations(_Repo):
    async def get(self, chat_id: int) -> Conversation | None:
        row = (await self.s.exec(
            select(ConversationRow).where(ConversationRow.chat_id == chat_id))).first()
        return to_domain(row, Conversation) if row else None

    async def save(self, conv: Conversation) -> None:
        stmt = self._insert(ConversationRow).values(**values_of(conv))
        stmt = stmt.on_conflict_do_update(
            index_elements=["chat_id"], set_=values_of(conv, exclude=("id", "chat_id")))
        await self.s.exec(stmt)  # type: ignore[call-overload]


class SqlTickets(_Repo):
    async def add(self, t: Ticket) -> Ticket:
        row = to_row(t, TicketRow)
        self.s.add(row)
        await self.s.flush()
        t.id = row.id
        return t

    async def get(self, ticket_id: int) -> Ticket | None:
        row = await self.s.get(TicketRow, ticket_id)
        return to_domain(row, Ticket) if row else None

    async def by_number(self, number: str) -> Ticket | None:
        row = (await self.s.exec(select(TicketRow).where(TicketRow.number == number))).first()
        return to_domain(row, Ticket) if row else None

    async def for_complainant(self, complainant_id: int, limit: int = 20) -> list[Ticket]:
        rows = await self.s.exec(
            select(TicketRow).where(TicketRow.complainant_id == complainant_id)
            .order_by(col(TicketRow.id).desc()).limit(limit))
        return [to_domain(r, Ticket) for r in rows]

    async def open_for_department(self, department: str) -> list[Ticket]:
        rows = await self.s.exec(
            select(TicketRow).where(TicketRow.department == department,
                                    col(TicketRow.state).in_([s.value for s in OPEN_STATES]))
            .order_by(col(TicketRow.answer_due)))
        return [to_domain(r, Ticket) for r in rows]

    async def save(self, t: Ticket) -> bool:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(TicketRow)
            .where(col(TicketRow.id) == t.id, col(TicketRow.version) == t.version - 1)
            .values(**values_of(t)))
        return bool(result.rowcount == 1)

    async def next_serial(self, day: date) -> int:
        key = day.strftime("%Y%m%d")
        stmt = self._insert(TicketCounterRow).values(day=key, last=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=["day"], set_={"last": TicketCounterRow.__table__.c.last + 1}
        ).returning(TicketCounterRow.__table__.c.last)
        return int((await self.s.exec(stmt)).scalar_one())  # type: ignore[call-overload]


class SqlEvents(_Repo):
    async def add(self, e: TicketEvent) -> None:
        self.s.add(to_row(e, TicketEventRow))
        await self.s.flush()
        self.event_log.note([e])

    async def for_ticket(self, ticket_id: int) -> list[TicketEvent]:
        rows = await self.s.exec(select(TicketEventRow).where(TicketEventRow.ticket_id == ticket_id)
                                 .order_by(col(TicketEventRow.id)))
        return [to_domain(r, TicketEvent) for r in rows]


class SqlAttachments(_Repo):
    async def add(self, a: Attachment) -> None:
        self.s.add(to_row(a, AttachmentRow))
        await self.s.flush()

    async def for_ticket(self, ticket_id: int) -> list[Attachment]:
        rows = await self.s.exec(select(AttachmentRow).where(AttachmentRow.ticket_id == ticket_id)
                                 .order_by(col(AttachmentRow.id)))
        return [to_domain(r, Attachment) for r in rows]


class SqlBindings(_Repo):
    async def for_department(self, department: str) -> GroupBinding | None:
        row = (await self.s.exec(select(GroupBindingRow)
                                 .where(GroupBindingRow.department == department))).first()
        return to_domain(row, GroupBinding) if row else None

    async def for_chat(self, chat_id: int) -> GroupBinding | None:
        row = (await self.s.exec(select(GroupBindingRow)
                                 .where(GroupBindingRow.chat_id == chat_id))).first()
        return to_domain(row, GroupBinding) if row else None

    async def bind(self, b: GroupBinding) -> None:
        stmt = self._insert(GroupBindingRow).values(**values_of(b))
        stmt = stmt.on_conflict_do_update(
            index_elements=["department"], set_=values_of(b, exclude=("id", "department")))
        await self.s.exec(stmt)  # type: ignore[call-overload]


class SqlInvites(_Repo):
    async def add(self, i: InviteCode) -> None:
        self.s.add(to_row(i, InviteCodeRow))
        await self.s.flush()

    async def get(self, code: str) -> InviteCode | None:
        row = (await self.s.exec(select(InviteCodeRow).where(InviteCodeRow.code == code))).first()
        return to_domain(row, InviteCode) if row else None

    async def use(self, code: str, user_id: int, at: datetime) -> bool:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(InviteCodeRow)
            .where(col(InviteCodeRow.code) == code, col(InviteCodeRow.used_at).is_(None))
            .values(used_at=at, used_by=user_id))
        return bool(result.rowcount == 1)


class SqlUpdateLog(_Repo):
    async def first_time(self, update_id: int, at: datetime) -> bool:
        stmt = self._insert(ProcessedUpdateRow).values(update_id=update_id, at=at)
        stmt = stmt.on_conflict_do_nothing(index_elements=["update_id"])
        result = await self.s.exec(stmt)  # type: ignore[call-overload]
        return bool(result.rowcount == 1)


class SqlOutbox(_Repo):
    async def add(self, m: OutboxMessage) -> bool:
        stmt = self._insert(OutboxRow).values(**values_of(m))
        stmt = stmt.on_conflict_do_nothing(index_elements=["dedupe_key"])
        result = await self.s.exec(stmt)  # type: ignore[call-overload]
        return bool(result.rowcount == 1)

    async def claim(self, now: datetime, worker: str, limit: int, stale_before: datetime
                    ) -> list[OutboxMessage]:
        """Take due messages atomically: pending ones, and claims abandoned by a dead worker.

        Strict order per chat: a row is not taken while an earlier row of its chat is in
        flight elsewhere or waiting for a retry. Claims are serialised (BEGIN IMMEDIATE on
        SQLite, a transaction-scoped advisory lock on PostgreSQL), so that check sees every
        committed claim. Candidates come from two range scans of (status, not_before) and
        (status, claimed_at), so the cost follows the due rows, not the sent history.
        """
        pending = (col(OutboxRow.status) == "pending") & (col(OutboxRow.not_before) <= now)
        stale = (col(OutboxRow.status) == "claimed") & (col(OutboxRow.claimed_at) < stale_before)
        due = or_(pending, stale)
        candidates = union_all(select(OutboxRow.id).where(pending),
                               select(OutboxRow.id).where(stale))
        earlier = aliased(OutboxRow)
        same_chat_before = ((col(earlier.chat_id) == col(OutboxRow.chat_id))
                            & (col(earlier.id) < col(OutboxRow.id)))
        waiting = or_(   # one EXISTS per status: each an index probe on (chat_id, status)
            exists().where(same_chat_before, col(earlier.status) == "claimed",
                           col(earlier.claimed_at) >= stale_before),
            exists().where(same_chat_before, col(earlier.status) == "pending",
                           col(earlier.claimed_by) != "", col(earlier.not_before) > now))
        ids = (select(OutboxRow.id).where(col(OutboxRow.id).in_(candidates), ~waiting)
               .order_by(col(OutboxRow.id)).limit(limit))
        if self.s.bind is not None and self.s.bind.dialect.name == "postgresql":
            await self.s.exec(select(func.pg_advisory_xact_lock(OUTBOX_CLAIM_LOCK)))
            ids = ids.with_for_update(skip_locked=True)
        stmt = (update(OutboxRow).where(col(OutboxRow.id).in_(ids.scalar_subquery()), due)
                .values(status="claimed", claimed_at=now, claimed_by=worker,
                        attempts=OutboxRow.__table__.c.attempts + 1)
                .returning(*OutboxRow.__table__.c))
        rows = (await self.s.exec(stmt)).mappings().all()  # type: ignore[call-overload]
        claimed = [OutboxMessage(**{k: v for k, v in r.items()}) for r in rows]
        return sorted(claimed, key=lambda m: m.id or 0)

    async def mark_sent(self, msg_id: int, at: datetime, message_id: int | None) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="sent", sent_at=at, message_id=message_id, error=""))

    async def retry_at(self, msg_id: int, at: datetime, error: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="pending", not_before=at, error=error[:2000]))

    async def release(self, msg_id: int, at: datetime, why: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="pending", not_before=at, error=why[:2000],
                                  attempts=OutboxRow.__table__.c.attempts - 1))

    async def mark_failed(self, msg_id: int, error: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="failed", error=error[:2000]))

    async def pending_count(self) -> int:
        stmt = select(func.count()).select_from(OutboxRow).where(
            col(OutboxRow.status).in_(("pending", "claimed")))
        return int((await self.s.exec(stmt)).one())

    async def last_sent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]
                        ) -> OutboxMessage | None:
        row = (await self.s.exec(
            select(OutboxRow).where(OutboxRow.ticket_id == ticket_id, OutboxRow.chat_id == chat_id,
                                    col(OutboxRow.kind).in_(kinds),
                                    col(OutboxRow.message_id).is_not(None))
            .order_by(col(OutboxRow.id).desc()).limit(1))).first()
        return to_domain(row, OutboxMessage) if row else None

    async def has_unsent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]) -> bool:
        row = (await self.s.exec(
            select(OutboxRow.id).where(OutboxRow.ticket_id == ticket_id,
                                       OutboxRow.chat_id == chat_id, col(OutboxRow.kind).in_(kinds),
                                       col(OutboxRow.status).in_(("pending", "claimed")))
            .limit(1))).first()
        return row is not None


class SqlStaff(_Repo):
    async def by_telegram_id(self, telegram_id: int) -> StaffMember | None:
        row = (await self.s.exec(
            select(StaffRow).where(StaffRow.telegram_id == telegram_id))).first()
        return to_domain(row, StaffMember) if row else None

    async def upsert(self, m: StaffMember) -> None:
        stmt = self._insert(StaffRow).values(**values_of(m))
        stmt = stmt.on_conflict_do_update(
            index_elements=["telegram_id"], set_=values_of(m, exclude=("id", "telegram_id")))
        await self.s.exec(stmt)  # type: ignore[call-overload]

    async def listing(self, department: str | None = None) -> list[StaffMember]:
        query = select(StaffRow).order_by(col(StaffRow.department), col(StaffRow.id))
        if department is not None:
            query = query.where(StaffRow.department == department)
        return [to_domain(r, StaffMember) for r in await self.s.exec(query)]

    async def save(self, m: StaffMember) -> None:
        await self.s.exec(update(StaffRow).where(col(StaffRow.telegram_id) == m.telegram_id)  # type: ignore[call-overload]
                          .values(**values_of(m, exclude=("id", "telegram_id"))))


class SqlExtensions(_Repo):
    async def add(self, r: ExtensionRequest) -> ExtensionRequest:
        row = to_row(r, ExtensionRequestRow)
        self.s.add(row)
        await self.s.flush()
        r.id = row.id
        return r

    async def get(self, request_id: int) -> ExtensionRequest | None:
        row = await self.s.get(ExtensionRequestRow, request_id)
        return to_domain(row, ExtensionRequest) if row else None

    async def for_ticket(self, ticket_id: int) -> list[ExtensionRequest]:
        rows = await self.s.exec(select(ExtensionRequestRow)
                                 .where(ExtensionRequestRow.ticket_id == ticket_id)
                                 .order_by(col(ExtensionRequestRow.id)))
        return [to_domain(r, ExtensionRequest) for r in rows]

    async def decide(self, r: ExtensionRequest) -> bool:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(ExtensionRequestRow)
            .where(col(ExtensionRequestRow.id) == r.id, col(ExtensionRequestRow.status) == "pending")
            .values(status=r.status, decided_by=r.decided_by, decided_at=r.decided_at))
        return bool(result.rowcount == 1)
