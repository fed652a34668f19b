"""Chats: each private chat's conversation state, handled updates, group bindings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, exists
from sqlmodel import select

from storage.mapping import values_of
from storage.repositories.base import Repository
from storage.tables import (
    ComplainantBlockRow,
    ComplainantRow,
    ConversationRow,
    GroupBindingRow,
    ProcessedUpdateRow,
)
from workflow.model import (
    Conversation,
    GroupBinding,
)

CONVERSATION = ConversationRow.__table__  # type: ignore[attr-defined]
PROCESSED = ProcessedUpdateRow.__table__  # type: ignore[attr-defined]
BINDING = GroupBindingRow.__table__  # type: ignore[attr-defined]
_GET = select(CONVERSATION).where(CONVERSATION.c.chat_id == bindparam("chat_id"))
_BINDING_OF_DEPARTMENT = select(BINDING).where(BINDING.c.department == bindparam("department"))
_BINDING_OF_CHAT = select(BINDING).where(BINDING.c.chat_id == bindparam("chat_id"))


def _with_block() -> Any:
    """One row whether or not the chat has a conversation: the active-block flag, then the
    conversation's columns (all NULL for a chat never seen)."""
    block, person = ComplainantBlockRow.__table__, ComplainantRow.__table__  # type: ignore[attr-defined]
    blocked = exists().where(person.c.telegram_id == bindparam("chat_id"),
                             block.c.complainant_id == person.c.id, block.c.lifted_at.is_(None))
    one = select(blocked.label("blocked")).subquery("ctx")
    return (select(one.c.blocked, CONVERSATION)
            .select_from(one.outerjoin(CONVERSATION,
                                       CONVERSATION.c.chat_id == bindparam("chat_id"))))


_GET_WITH_BLOCK = _with_block()


def _save(insert: Any) -> Any:
    ins = insert(CONVERSATION)
    kept = [c.name for c in CONVERSATION.c if c.name not in ("id", "chat_id")]
    return ins.on_conflict_do_update(index_elements=["chat_id"],
                                     set_={name: ins.excluded[name] for name in kept})


def _first_time(insert: Any) -> Any:
    return insert(PROCESSED).on_conflict_do_nothing(index_elements=["update_id"])


class SqlConversations(Repository):
    """Read and written on every private update: Core statements, no ORM objects."""

    async def get(self, chat_id: int) -> Conversation | None:
        row = (await self._core(_GET, {"chat_id": chat_id})).first()
        return Conversation(**row) if row else None

    async def get_with_block(self, chat_id: int) -> tuple[Conversation | None, bool]:
        fields = (await self._core(_GET_WITH_BLOCK, {"chat_id": chat_id})).one()
        blocked = bool(fields.pop("blocked"))
        return (Conversation(**fields) if fields["chat_id"] is not None else None), blocked

    async def save(self, conv: Conversation) -> None:
        await self._core(self._prepared("conversation.save", _save), values_of(conv))


class SqlUpdateLog(Repository):
    async def first_time(self, update_id: int, at: datetime) -> bool:
        result = await self._core(self._prepared("update_log.first_time", _first_time),
                                  {"update_id": update_id, "at": at})
        return bool(result.rowcount == 1)


class SqlBindings(Repository):
    async def for_department(self, department: str) -> GroupBinding | None:
        row = (await self._core(_BINDING_OF_DEPARTMENT, {"department": department})).first()
        return GroupBinding(**row) if row else None

    async def for_chat(self, chat_id: int) -> GroupBinding | None:
        row = (await self._core(_BINDING_OF_CHAT, {"chat_id": chat_id})).first()
        return GroupBinding(**row) if row else None

    async def bind(self, b: GroupBinding) -> None:
        stmt = self._insert(GroupBindingRow).values(**values_of(b))
        stmt = stmt.on_conflict_do_update(
            index_elements=["department"], set_=values_of(b, exclude=("id", "department")))
        await self.s.exec(stmt)  # type: ignore[call-overload]

    async def chats(self) -> dict[str, int]:
        """department -> bound group chat, all at once (one query per sweep batch)."""
        rows = await self.s.exec(select(GroupBindingRow.department, GroupBindingRow.chat_id))
        return {str(d): int(c) for d, c in rows}
