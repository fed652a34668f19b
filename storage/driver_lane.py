"""The statements of every update, run on SQLite's own driver.

SQLAlchemy's execution layer costs more than SQLite itself for the short statements each update
runs (the update id, the conversation, its replies): a cache key, a compiled-cache lookup, an
execution context, a result object and a greenlet switch each time. Here a Core statement is
compiled once per set of parameter names, with SQLAlchemy's own bind and result processors, and
then run straight on the transaction's sqlite3 connection (storage.sqlite_inline). The SQL, the
values written and the values read are SQLAlchemy's; only the machinery around them is skipped.
Other databases keep SQLAlchemy's execution (`Rows.of`), with the same small result.

A unit of work on SQLite begins its transaction here too (`LaneTransaction`): the engine's one
connection from the pool, BEGIN IMMEDIATE and COMMIT on the driver, without a session
transaction and a Connection object per update. When the session needs the connection (an ORM
statement), it is handed this one with the transaction already begun, and owns it from then on.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError, InvalidRequestError, MultipleResultsFound, NoResultFound
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util.concurrency import greenlet_spawn
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.orm.session import Session

from storage.sqlite_inline import InlineConnection

LANE = "zhiyong.driver_lane"   # session.info: (the transaction, its lane)
LANE_TX = "zhiyong.lane_transaction"   # session.info: the unit of work's LaneTransaction
BEGUN = "zhiyong.begun"   # connection info: the driver is in a transaction SQLAlchemy adopts
Params = Mapping[str, Any] | Sequence[Mapping[str, Any]] | None
Processor = Callable[[Any], Any] | None
_REQUIRED = object()   # a parameter the statement has no value of its own for


class Rows:
    """What a hot statement gives back: its rows as dicts, and how many rows it changed."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[dict[str, Any]], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    @classmethod
    def of(cls, result: Any) -> Rows:
        rows = [dict(r) for r in result.mappings()] if result.returns_rows else []
        return cls(rows, int(result.rowcount or 0) if not result.returns_rows else len(rows))

    def all(self) -> list[dict[str, Any]]:
        return self._rows

    def first(self) -> dict[str, Any] | None:
        return self._rows[0] if self._rows else None

    def one(self) -> dict[str, Any]:
        if not self._rows:
            raise NoResultFound("no row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("more than one row was found when one was required")
        return self._rows[0]


@dataclass(frozen=True)
class Compiled:
    """One statement for one set of parameter names: its SQL, where each value goes and how
    SQLAlchemy would convert it, and the conversions of the columns it returns."""

    sql: str
    order: tuple[tuple[str, Any, Processor], ...]   # key, default, bind processor
    columns: tuple[tuple[str, Processor], ...]
    keep: object   # the statement itself, so its id() is not reused while cached

    @classmethod
    def of(cls, stmt: Any, dialect: Dialect, keys: list[str], many: bool) -> Compiled:
        c: Any = stmt.compile(dialect=dialect, column_keys=keys, for_executemany=many)
        by_name = {name: bp for bp, name in c.bind_names.items()}
        if any(bp.expanding or bp.literal_execute for bp in by_name.values()) \
                or c.insert_prefetch or c.update_prefetch:
            raise TypeError(f"not a statement for the driver lane (IN-lists, literal parameters "
                            f"or column defaults): {c.string[:80]}")
        processors = c._bind_processors   # SQLAlchemy's own, as its execution applies them
        order = tuple((by_name[n].key,
                       _REQUIRED if by_name[n].required else by_name[n].effective_value,
                       processors.get(n)) for n in c.positiontup)
        columns = tuple((key, typ._cached_result_processor(dialect, None))
                        for key, _name, _objects, typ in c._result_columns)
        return cls(c.string, order, columns, stmt)

    def values(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, default, process in self.order:
            value = params[key] if key in params else default
            if value is _REQUIRED:   # as SQLAlchemy refuses it, rather than writing NULL
                raise InvalidRequestError(f"A value is required for bind parameter {key!r}")
            out.append(value if process is None or value is None else process(value))
        return tuple(out)

    def rows(self, raw: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
        cols = self.columns
        return [{key: (v if process is None or v is None else process(v))
                 for (key, process), v in zip(cols, row, strict=True)} for row in raw]


_COMPILED: dict[tuple[int, tuple[str, ...], bool], Compiled] = {}
_COMPILED_MAX = 512   # a statement built per call would grow the cache: bounded, it only recompiles


class SqliteLane:
    """The transaction's sqlite3 connection, for Core statements compiled once."""

    def __init__(self, driver: InlineConnection, dialect: Dialect) -> None:
        self.driver, self.dialect = driver, dialect

    async def run(self, stmt: Any, params: Params) -> Rows:
        many = isinstance(params, Sequence)
        sets: Sequence[Mapping[str, Any]] = params if isinstance(params, Sequence) \
            else [params or {}]
        keys = tuple(sorted(sets[0])) if sets else ()
        compiled = _COMPILED.get((id(stmt), keys, many))
        if compiled is None:
            if len(_COMPILED) >= _COMPILED_MAX:
                _COMPILED.clear()
            compiled = _COMPILED[(id(stmt), keys, many)] = Compiled.of(
                stmt, self.dialect, list(keys), many)
        values = [compiled.values(p) for p in sets]
        raw, rowcount = await self._run(compiled.sql, values if many else values[0], many)
        if compiled.columns:
            rows = compiled.rows(raw)
            return Rows(rows, len(rows))
        return Rows([], rowcount)

    async def execute(self, sql: str) -> None:
        """A statement without parameters (BEGIN, COMMIT, ROLLBACK)."""
        await self._run(sql, (), False)

    async def _run(self, sql: str, values: Any, many: bool) -> tuple[list[tuple[Any, ...]], int]:
        try:
            return await self.driver.run(sql, values, many)
        except sqlite3.Error as exc:   # as SQLAlchemy raises it (IntegrityError …), no values
            raise DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True,
                                      ismulti=many) from exc


class LaneTransaction:
    """One unit of work's transaction on the SQLite engine's one connection, begun on the
    driver; or, once the session has asked for the connection, the session's."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._fairy: PoolProxiedConnection | None = None
        self._lane: SqliteLane | None = None
        self._connection: Connection | None = None   # handed to the session

    @property
    def active(self) -> bool:
        return self._fairy is not None

    async def lane(self) -> SqliteLane:
        if self._lane is None:
            fairy = await self.engine.raw_connection()
            driver = fairy.driver_connection
            assert isinstance(driver, InlineConnection)
            lane = SqliteLane(driver, self.engine.dialect)
            try:
                await lane.execute("BEGIN IMMEDIATE")
            except BaseException:
                await greenlet_spawn(fairy.close)
                raise
            self._fairy, self._lane = fairy, lane
        return self._lane

    def connection(self) -> Connection:
        """The connection for the session, its transaction begun already (the engine's begin
        hook skips BEGIN once for it)."""
        assert self._fairy is not None
        if self._connection is None:
            self._fairy.info[BEGUN] = True
            self._connection = Connection(self.engine.sync_engine, connection=self._fairy)
        return self._connection

    async def end(self, commit: bool) -> None:
        """COMMIT or ROLLBACK what the driver began (not what the session owns), then give
        the connection back to the pool."""
        lane, fairy, connection = self._lane, self._fairy, self._connection
        self._lane = self._fairy = self._connection = None
        if fairy is None:
            return
        try:
            if connection is None and lane is not None:
                try:
                    await lane.execute("COMMIT" if commit else "ROLLBACK")
                finally:   # a failed COMMIT leaves the transaction open: not for the next one
                    if lane.driver.in_transaction:
                        await lane.execute("ROLLBACK")
        finally:
            fairy.info.pop(BEGUN, None)
            await greenlet_spawn(connection.close if connection is not None else fairy.close)


class LaneSession(Session):
    """The sync session of a unit of work on SQLite: while the driver holds a transaction, the
    session's statements join it on the same connection (the pool has only that one)."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        tx = self.info.get(LANE_TX)
        if tx is not None and tx.active:
            return tx.connection()
        return super().get_bind(*args, **kwargs)


async def lane_of(session: AsyncSession) -> SqliteLane | None:
    """The lane of the session's current transaction (begun here if need be); None when the
    database is not SQLite through storage.sqlite_inline."""
    owner = session.info.get(LANE_TX)
    if owner is not None and not session.sync_session.in_transaction():
        return await owner.lane()   # type: ignore[no-any-return]
    tx = session.sync_session.get_transaction()
    entry = session.info.get(LANE)
    if entry is not None and tx is not None and entry[0] is tx:
        return entry[1]   # type: ignore[no-any-return]
    conn = await session.connection()
    raw = await conn.get_raw_connection()
    driver = raw.driver_connection
    lane = SqliteLane(driver, conn.dialect) if isinstance(driver, InlineConnection) else None
    session.info[LANE] = (session.sync_session.get_transaction(), lane)
    return lane
