"""The update inbox: fetched updates confirmed to Telegram before they were handled.

The intake writes and reads it in transactions of its own, outside any update's unit of work:
the rows are a durable copy of updates already in their chat's lane, deleted once handled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from storage.db import session_factory
from storage.tables import UpdateInboxRow
from storage.uow import Database

Spilled = tuple[int, int | None, dict[str, Any]]   # update_id, chat key, the update


class SqlInbox:
    """`keep` in one multi-row insert (a redelivered update is kept once); `drop` in one delete."""

    def __init__(self, db: Database) -> None:
        self._sessions = session_factory(db.engine)
        self._insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert

    async def keep(self, updates: Sequence[Spilled]) -> None:
        if not updates:
            return
        rows = [{"update_id": uid, "chat_key": key,
                 "body": json.dumps(update, ensure_ascii=True, separators=(",", ":"))}
                for uid, key, update in updates]
        async with self._sessions() as s:
            stmt = self._insert(UpdateInboxRow).values(rows)
            await s.exec(stmt.on_conflict_do_nothing(index_elements=["update_id"]))
            await s.commit()

    async def drop(self, update_ids: Sequence[int]) -> None:
        if not update_ids:
            return
        ids = list(update_ids)
        async with self._sessions() as s:
            for i in range(0, len(ids), 500):
                await s.exec(delete(UpdateInboxRow)
                             .where(col(UpdateInboxRow.update_id).in_(ids[i:i + 500])))
            await s.commit()

    async def pending(self) -> list[dict[str, Any]]:
        """Every kept update, oldest first."""
        async with self._sessions() as s:
            rows = await s.exec(select(UpdateInboxRow.body).order_by(col(UpdateInboxRow.update_id)))
            return [json.loads(body) for body in rows]
