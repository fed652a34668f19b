"""Chats: each private chat's conversation state, handled updates, group bindings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from storage.mapping import to_domain, values_of
from storage.repositories.base import Repository
from storage.tables import (
    ConversationRow,
    GroupBindingRow,
    ProcessedUpdateRow,
)
from workflow.model import (
    Conversation,
    GroupBinding,
)

CONVERSATION = ConversationRow.__table__  # type: ignore[attr-defined]


class SqlConversations(Repository):
    """Read and written on every private update: Core statements, no ORM objects."""

    async def get(self, chat_id: int) -> Conversation | None:
        row = (await self._core(select(CONVERSATION).where(CONVERSATION.c.chat_id == chat_id))
               ).first()
        return Conversation(**row._mapping) if row else None

    async def save(self, conv: Conversation) -> None:
        stmt = self._insert(CONVERSATION).values(**values_of(conv))
        stmt = stmt.on_conflict_do_update(
            index_elements=["chat_id"], set_=values_of(conv, exclude=("id", "chat_id")))
        await self._core(stmt)


class SqlUpdateLog(Repository):
    async def first_time(self, update_id: int, at: datetime) -> bool:
        stmt = self._insert(ProcessedUpdateRow.__table__).values(  # type: ignore[attr-defined]
            update_id=update_id, at=at)
        stmt = stmt.on_conflict_do_nothing(index_elements=["update_id"])
        result = await self._core(stmt)
        return bool(result.rowcount == 1)


class SqlBindings(Repository):
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

    async def chats(self) -> dict[str, int]:
        """department -> bound group chat, all at once (one query per sweep batch)."""
        rows = await self.s.exec(select(GroupBindingRow.department, GroupBindingRow.chat_id))
        return {str(d): int(c) for d, c in rows}
