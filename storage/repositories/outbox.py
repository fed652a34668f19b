"""The outbox: queued notifications, claimed and settled by the sender."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import bindparam, case, exists, func, null, or_, true, union_all, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from storage.mapping import to_domain, values_of
from storage.repositories.base import Repository
from storage.tables import (
    OutboxRow,
)
from workflow.model import (
    OutboxMessage,
)

OUTBOX_CLAIM_LOCK = 0x7A7901   # pg_advisory_xact_lock key: one outbox claim at a time
OUTBOX_SLOT_LOCK = 0x7A7902    # pg_advisory_xact_lock key: one send slot taken at a time
SLOTTED = ("claimed", "sent")   # rows whose slot counts: in Telegram's hands or on the way
OUTBOX_DUE = "zhiyong.outbox_due"   # session.info flag: a row was queued for now


_HELD = ("status", "claimed_by", "claimed_at", "attempts")


def _add_replies(insert: Any, n: int) -> Any:
    """Rows of one chat that go out claimed by `worker`, unless the chat has rows that hold
    its next replies back (claimed by another sender, or pending and either due or still
    marked by a sender): then they queue as pending. The INSERT decides, once for all its
    rows (a CTE), against what the transaction sees when they go in."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    earlier = table.alias("earlier").c
    worker = bindparam("worker", type_=table.c.claimed_by.type)
    now = bindparam("now", type_=table.c.claimed_at.type)
    free = ~exists().where(
        earlier.chat_id == bindparam("held_chat", type_=table.c.chat_id.type),
        ((earlier.status == "claimed") & (earlier.claimed_by != worker))
        | ((earlier.status == "pending")
           & ((earlier.not_before <= now) | (earlier.claimed_by != ""))))
    held = select(case((free, "claimed"), else_="pending").label("status"),
                  case((free, worker), else_="").label("claimed_by"),
                  case((free, now), else_=null()).label("claimed_at"),
                  case((free, 1), else_=0).label("attempts")).cte("held")
    given = [c for c in table.c if c.name not in ("id", *_HELD)]
    # INSERT … SELECT of n rows: the CTE's parameters bound once, and SQLAlchemy caches it
    # compiled (not a multi-row VALUES); `WHERE true` keeps SQLite's upsert unambiguous
    rows = [select(*(bindparam(f"{c.name}_{i}", type_=c.type) for c in given),
                   *(held.c[name] for name in _HELD)).where(true())
            for i in range(n)]
    return (insert(table)
            .from_select([*(c.name for c in given), *_HELD],
                         rows[0] if n == 1 else union_all(*rows))
            .add_cte(held)
            .on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(*table.c))


def _add(insert: Any) -> Any:
    """RETURNING, not the row count: PostgreSQL's driver reports no count for an insert whose
    key SQLAlchemy reads back."""
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    return insert(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id)


def _mark_sent() -> Any:
    t = OutboxRow.__table__.c  # type: ignore[attr-defined]
    return (update(OutboxRow.__table__).where(t.id == bindparam("row_id"))  # type: ignore[attr-defined]
            .values(status="sent", sent_at=bindparam("at"), message_id=bindparam("mid"), error=""))


_MARK_SENT = _mark_sent()


class SqlOutbox(Repository):
    async def add(self, m: OutboxMessage) -> bool:
        result = await self._core(self._prepared("outbox.add", _add), values_of(m))
        added = len(result.all()) == 1
        if added and m.not_before <= m.created_at:
            self.s.info[OUTBOX_DUE] = True   # the unit of work wakes the sender on commit
        return added

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
        # the ids first, then the update: as `UPDATE … WHERE id IN (SELECT … LIMIT … FOR UPDATE)`
        # PostgreSQL took every due row, not `limit`, so one process held the whole backlog
        chosen = list((await self.s.exec(ids)).all())  # type: ignore[call-overload]
        if not chosen:
            return []
        stmt = (update(OutboxRow).where(col(OutboxRow.id).in_(chosen), due)
                .values(status="claimed", claimed_at=now, claimed_by=worker, sent_at=None,
                        attempts=OutboxRow.__table__.c.attempts + 1)
                .returning(*OutboxRow.__table__.c))
        rows = (await self.s.exec(stmt)).mappings().all()  # type: ignore[call-overload]
        claimed = [OutboxMessage(**{k: v for k, v in r.items()}) for r in rows]
        return sorted(claimed, key=lambda m: m.id or 0)

    async def recent_slots(self, chat_id: int, bot_since: datetime, chat_since: datetime
                           ) -> tuple[list[datetime], list[datetime]]:
        """The send slots taken since then by the bot, and to `chat_id`.

        Locks until commit (an advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so
        what the caller decides from them cannot be raced by another process. A taken slot is
        a row with sent_at set and claimed_at re-stamped at the slot: both reads are ranges of
        (status, claimed_at), so the cost follows the recent sends, not the sent history.
        """
        if self._is_pg():
            await self.s.exec(select(func.pg_advisory_xact_lock(OUTBOX_SLOT_LOCK)))
        t = OutboxRow.__table__.c  # type: ignore[attr-defined]
        taken = t.status.in_(SLOTTED) & t.sent_at.is_not(None)
        bot = await self.s.exec(  # type: ignore[call-overload]
            select(t.claimed_at).where(taken, t.claimed_at > bot_since))
        # `chat_id + 0`: not the (chat_id, status) index, which walks a group's whole history
        chat = await self.s.exec(  # type: ignore[call-overload]
            select(t.claimed_at).where(taken, t.claimed_at > chat_since,
                                       (t.chat_id + 0) == chat_id))
        return list(bot), list(chat)

    async def take_slot(self, msg_id: int, at: datetime) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(claimed_at=at, sent_at=at))

    async def mark_sent(self, msg_id: int, at: datetime, message_id: int | None) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="sent", sent_at=at, message_id=message_id, error=""))

    async def mark_sent_many(self, marks: list[tuple[int, datetime, int | None]]) -> None:
        await self._core(_MARK_SENT, [{"row_id": i, "at": at, "mid": m} for i, at, m in marks])

    async def retry_at(self, msg_id: int, at: datetime, error: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="pending", not_before=at, error=error[:2000],
                                  sent_at=None))

    async def release(self, msg_id: int, at: datetime, why: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="pending", not_before=at, error=why[:2000],
                                  attempts=OutboxRow.__table__.c.attempts - 1))

    async def add_replies(self, messages: list[OutboxMessage], worker: str,
                          now: datetime) -> list[OutboxMessage]:
        claimed: list[OutboxMessage] = []
        for chat in dict.fromkeys(m.chat_id for m in messages):
            mine = [m for m in messages if m.chat_id == chat]
            params: dict[str, Any] = {"held_chat": chat, "worker": worker, "now": now}
            for i, m in enumerate(mine):
                params.update({f"{k}_{i}": v for k, v in
                               values_of(m, exclude=("id", *_HELD)).items()})
            stmt = self._prepared(f"outbox.add_replies.{len(mine)}",
                                  partial(_add_replies, n=len(mine)))
            result = await self._core(stmt, params)
            added = [OutboxMessage(**r) for r in result.all()]
            if any(m.status == "pending" and m.not_before <= now for m in added):
                self.s.info[OUTBOX_DUE] = True   # held back: the claim loop sends them in order
            claimed += (m for m in added if m.status == "claimed")
        return sorted(claimed, key=lambda m: m.id or 0)

    async def claimers(self) -> list[str]:
        """The workers holding claims right now (one query on (status, claimed_at))."""
        rows = await self.s.exec(select(OutboxRow.claimed_by).where(OutboxRow.status == "claimed")
                                 .distinct())
        return [str(w) for w in rows]

    async def release_claims_of(self, worker: str, why: str) -> int:
        """A dead worker's claims back to pending at once (their attempt not counted)."""
        result = await self.s.exec(  # type: ignore[call-overload]
            update(OutboxRow).where(col(OutboxRow.status) == "claimed",
                                    col(OutboxRow.claimed_by) == worker)
            .values(status="pending", error=why[:2000],
                    attempts=OutboxRow.__table__.c.attempts - 1))
        return int(result.rowcount or 0)

    async def mark_failed(self, msg_id: int, error: str) -> None:
        await self.s.exec(update(OutboxRow).where(col(OutboxRow.id) == msg_id)  # type: ignore[call-overload]
                          .values(status="failed", error=error[:2000]))


    async def last_sent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]
                        ) -> OutboxMessage | None:
        row = (await self.s.exec(
            select(OutboxRow).where(OutboxRow.ticket_id == ticket_id, OutboxRow.chat_id == chat_id,
                                    col(OutboxRow.kind).in_(kinds),
                                    col(OutboxRow.message_id).is_not(None))
            .order_by(col(OutboxRow.id).desc()).limit(1))).first()
        return to_domain(row, OutboxMessage) if row else None

    async def by_message(self, chat_id: int, message_id: int) -> OutboxMessage | None:
        row = (await self.s.exec(
            select(OutboxRow).where(OutboxRow.chat_id == chat_id,
                                    OutboxRow.message_id == message_id)
            .order_by(col(OutboxRow.id).desc()).limit(1))).first()
        return to_domain(row, OutboxMessage) if row else None

    async def has_unsent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]) -> bool:
        row = (await self.s.exec(
            select(OutboxRow.id).where(OutboxRow.ticket_id == ticket_id,
                                       OutboxRow.chat_id == chat_id, col(OutboxRow.kind).in_(kinds),
                                       col(OutboxRow.status).in_(("pending", "claimed")))
            .limit(1))).first()
        return row is not None

    async def cancel_unsent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...],
                            why: str) -> int:
        result = await self.s.exec(  # type: ignore[call-overload]
            update(OutboxRow).where(OutboxRow.ticket_id == ticket_id, OutboxRow.chat_id == chat_id,
                                    col(OutboxRow.kind).in_(kinds),
                                    OutboxRow.status == "pending")
            .values(status="cancelled", error=why[:2000]))
        return int(result.rowcount)

    async def add_many(self, messages: list[OutboxMessage]) -> int:
        added = await self._insert_many(OutboxRow, [values_of(m) for m in messages],
                                        ["dedupe_key"])
        if added and any(m.not_before <= m.created_at for m in messages):
            self.s.info[OUTBOX_DUE] = True
        return added
