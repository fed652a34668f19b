"""What every SQL repository shares: the unit of work's session and dialect-aware inserts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver_lane import Rows, lane_of
from storage.event_log import EventLog

_PREPARED: dict[tuple[str, str], Any] = {}


class Repository:
    def __init__(self, session: AsyncSession, event_log: EventLog | None = None) -> None:
        self.s = session
        self.event_log = event_log or EventLog()   # ticket events, logged after commit

    def _insert(self, table: type):  # type: ignore[no-untyped-def]
        """INSERT builder of the session's dialect (both support ON CONFLICT … RETURNING)."""
        dialect = self.s.bind.dialect.name if self.s.bind else "sqlite"
        return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)

    def _prepared(self, key: str, build: Callable[[Callable[[Any], Any]], Any]) -> Any:
        """An upsert built once per dialect (`build` gets its INSERT builder) and reused with
        its values as parameters: SQLAlchemy then neither rebuilds nor re-keys it per update."""
        dialect = self.s.bind.dialect.name if self.s.bind else "sqlite"
        stmt = _PREPARED.get((key, dialect))
        if stmt is None:
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            stmt = _PREPARED[(key, dialect)] = build(insert)
        return stmt

    async def _core(self, stmt: Any, params: Any = None) -> Rows:
        """Run a Core statement of every update past the ORM's execution layer: on SQLite
        straight on the driver (storage.driver_lane), elsewhere on the session's connection.
        Objects added but not yet flushed are flushed first, as the ORM's autoflush would."""
        if self.s.new or self.s.dirty or self.s.deleted:
            await self.s.flush()
        lane = await lane_of(self.s)
        if lane is not None:
            return await lane.run(stmt, params)
        conn = await self.s.connection()
        return Rows.of(await conn.execute(stmt, params))

    def _is_pg(self) -> bool:
        return self.s.bind is not None and self.s.bind.dialect.name == "postgresql"

    async def _insert_many(self, table: type, rows: list[dict[str, Any]],
                           conflict: list[str]) -> int:
        if not rows:
            return 0
        plain = self._prepared(f"insert_many.{table.__name__}.{','.join(conflict)}",
                               lambda insert: insert(table).on_conflict_do_nothing(
                                   index_elements=conflict))
        lane = await lane_of(self.s)
        if lane is not None:   # sqlite3's executemany counts the rows it inserted
            return (await lane.run(plain, rows)).rowcount
        stmt = plain.returning(table.__table__.c.id)  # type: ignore[attr-defined]
        result = await self.s.exec(stmt, params=rows)  # type: ignore[call-overload]
        return len(result.all())
