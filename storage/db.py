"""Engines from plain URLs: users write sqlite:///… or postgresql://…, the async driver is ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver_lane import BEGUN, LaneSession
from storage.sqlite_inline import inline_creator

SQLITE_BUSY_TIMEOUT_MS = 10_000
SQLITE_QUEUE_TIMEOUT_S = 120   # waiting for the one connection (a queue in our event loop)


def async_url(url: str) -> str:
    """Map a plain URL to its async driver: aiosqlite for SQLite, asyncpg for PostgreSQL."""
    u = make_url(url)
    backend = u.get_backend_name()
    if backend == "sqlite":
        return str(u.set(drivername="sqlite+aiosqlite"))
    if backend in ("postgresql", "postgres"):
        return u.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL {url!r}: use sqlite:///… or postgresql://…")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_pragmas(engine: AsyncEngine) -> None:
    """WAL, and BEGIN IMMEDIATE so concurrent writers queue instead of failing (the wait for
    another process's lock is storage.sqlite_inline's)."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.connection.info.pop(BEGUN, False):   # begun on the driver (storage.driver_lane)
            return
        # on the DBAPI cursor: a statement of every transaction needs no execution context
        cursor = conn.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        finally:
            cursor.close()


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """SQLite: ONE connection per engine. SQLite takes one writer at a time anyway; with one
    connection the writers queue in the pool (FIFO, in our loop) instead of sleeping in
    SQLite's busy handler, so no handler waits on the busy timeout or sees `database is
    locked`. The busy timeout stays for other processes (a CLI command beside the bot). The
    statements run on the loop's thread (storage.sqlite_inline), not one thread hop each.
    A database error in the log names the statement, never its values (hide_parameters: a
    complainant's name, phone or words)."""
    kwargs.setdefault("hide_parameters", True)
    if is_sqlite(url):
        _prepare_sqlite_file(url)
        database = make_url(url).database or ":memory:"
        # no reset on return: every transaction is ended by whoever began it (a session, a
        # connection block, storage.driver_lane) before the connection goes back
        engine = create_async_engine(
            async_url(url), async_creator=inline_creator(database, SQLITE_BUSY_TIMEOUT_MS / 1000),
            pool_size=1, max_overflow=0, pool_timeout=SQLITE_QUEUE_TIMEOUT_S,
            pool_reset_on_return=None, **kwargs
        )
        _sqlite_pragmas(engine)
        return engine
    return create_async_engine(async_url(url), pool_pre_ping=True, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, sync_session_class=LaneSession,
                              expire_on_commit=False)


def has_lanes(engine: AsyncEngine) -> bool:
    """Units of work on this engine begin their transactions on the driver (SQLite)."""
    return engine.dialect.name == "sqlite"
