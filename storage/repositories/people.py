"""Complainants and staff: who files, who works the desk, their invites."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy import update
from sqlmodel import col, select

from storage.mapping import to_domain, to_row, values_of
from storage.repositories.base import Repository
from storage.tables import (
    ComplainantBlockRow,
    ComplainantRow,
    InviteCodeRow,
    StaffRow,
)
from workflow.model import (
    Complainant,
    ComplainantBlock,
    InviteCode,
    StaffMember,
)

_COMPLAINANT = ComplainantRow.__table__  # type: ignore[attr-defined]
PROFILE = ("first_name", "last_name", "username", "language")
_BY_TELEGRAM_ID = sa.select(_COMPLAINANT).where(
    _COMPLAINANT.c.telegram_id == sa.bindparam("telegram_id"))


def _register(insert: Any, profile: bool) -> Any:
    """Insert by Telegram id, or refresh the stored row: its name fields when a profile came
    with the update, its phone when one was given; the stored row comes back."""
    ins = insert(_COMPLAINANT)
    stored = _COMPLAINANT.c
    set_: dict[str, Any] = {name: ins.excluded[name] for name in PROFILE} if profile else {}
    set_["phone"] = sa.case((ins.excluded.phone == "", stored.phone), else_=ins.excluded.phone)
    return ins.on_conflict_do_update(index_elements=["telegram_id"], set_=set_).returning(_COMPLAINANT)


class SqlComplainants(Repository):
    async def register(self, c: Complainant, profile: bool = True) -> Complainant:
        stmt = self._prepared(f"complainant.register.{profile}", partial(_register, profile=profile))
        row = (await self._core(stmt, values_of(c))).one()
        return Complainant(**row)

    async def by_telegram_id(self, telegram_id: int) -> Complainant | None:
        row = (await self._core(_BY_TELEGRAM_ID, {"telegram_id": telegram_id})).first()
        return Complainant(**row) if row else None

    async def get(self, complainant_id: int) -> Complainant | None:
        row = await self.s.get(ComplainantRow, complainant_id)
        return to_domain(row, Complainant) if row else None

    async def add(self, c: Complainant) -> Complainant:
        row = to_row(c, ComplainantRow)
        self.s.add(row)
        await self.s.flush()
        c.id = row.id
        return c

    async def chats(self, complainant_ids: list[int]) -> dict[int, int]:
        if not complainant_ids:
            return {}
        rows = await self.s.exec(select(ComplainantRow.id, ComplainantRow.telegram_id)
                                 .where(col(ComplainantRow.id).in_(complainant_ids)))
        return {int(i): int(tg) for i, tg in rows if i is not None}


_block, _person = ComplainantBlockRow.__table__, ComplainantRow.__table__  # type: ignore[attr-defined]
_ACTIVE_FOR_CHAT = (
    sa.select(_block.c.id).select_from(_block.join(_person, _person.c.id == _block.c.complainant_id))
    .where(_person.c.telegram_id == sa.bindparam("chat"), _block.c.lifted_at.is_(None))
    .order_by(_block.c.id.desc()).limit(1))


class SqlBlocks(Repository):
    async def add(self, b: ComplainantBlock) -> ComplainantBlock:
        row = to_row(b, ComplainantBlockRow)
        self.s.add(row)
        await self.s.flush()
        b.id = row.id
        return b

    async def active(self, complainant_id: int) -> ComplainantBlock | None:
        row = (await self.s.exec(
            select(ComplainantBlockRow).where(ComplainantBlockRow.complainant_id == complainant_id,
                                              col(ComplainantBlockRow.lifted_at).is_(None))
            .order_by(col(ComplainantBlockRow.id).desc()).limit(1))).first()
        return to_domain(row, ComplainantBlock) if row else None

    async def active_for_chat(self, chat_id: int) -> ComplainantBlock | None:
        """Asked for every citizen update: a Core query for the id (no ORM row unless blocked)."""
        conn = await self.s.connection()
        found = (await conn.execute(_ACTIVE_FOR_CHAT, {"chat": chat_id})).first()
        row = await self.s.get(ComplainantBlockRow, found[0]) if found else None
        return to_domain(row, ComplainantBlock) if row else None

    async def save(self, b: ComplainantBlock) -> None:
        await self.s.exec(update(ComplainantBlockRow).where(col(ComplainantBlockRow.id) == b.id)
                          .values(**values_of(b)))  # type: ignore[call-overload]


class SqlStaff(Repository):
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


class SqlInvites(Repository):
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
