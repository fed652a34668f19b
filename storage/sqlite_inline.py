"""aiosqlite's connection API, run on the event loop's own thread.

aiosqlite sends every cursor call to a worker thread and back (a queue, a thread switch and a
wake-up of the loop each time: about four per statement). Our SQLite work is short statements
on a local WAL file through ONE connection, cheaper to run than to hand over, so here they run
where they are awaited. Only a wait for another process's write lock would block the loop:
the connection has no busy timeout, and a statement that meets a lock (SQLITE_BUSY) is tried
again in a thread until the usual timeout has passed. A statement that failed busy had no
effect, so trying it again is safe.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Coroutine, Generator
from typing import Any

import aiosqlite

BUSY_RETRY_S = 0.005


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return getattr(exc, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, 261, 517) \
        or "database is locked" in str(exc)


class _RunHere:
    """Stands in for aiosqlite's queue to its thread: what is put in runs at once."""

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as exc:  # handed to the awaiting caller, as aiosqlite does
            if future is not None and not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    def __init__(self, connector: Callable[[], sqlite3.Connection], busy_timeout: float) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunHere()  # type: ignore[assignment]
        self._busy_timeout = busy_timeout

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
        return await asyncio.to_thread(self._when_free, fn, args, kwargs)

    async def run(self, sql: str, params: Any, many: bool
                  ) -> tuple[list[tuple[Any, ...]], int]:
        """One statement (or one per parameter set) straight on sqlite3: its rows, and how
        many rows it changed."""
        return await self._execute(self._run, sql, params, many)  # type: ignore[no-any-return]

    def _run(self, sql: str, params: Any, many: bool) -> tuple[list[tuple[Any, ...]], int]:
        assert self._connection is not None
        cur = self._connection.executemany(sql, params) if many else \
            self._connection.execute(sql, params)
        try:
            return (cur.fetchall() if cur.description else []), cur.rowcount
        finally:
            cur.close()

    def _when_free(self, fn: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> Any:
        """Another process holds the lock: try again until it is free or the timeout passed."""
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(BUSY_RETRY_S)

    async def _connect(self) -> InlineConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()


def inline_creator(database: str, busy_timeout: float
                   ) -> Callable[[], Coroutine[Any, Any, InlineConnection]]:
    """An `async_creator` for create_async_engine: sqlite3 without a busy timeout of its own."""
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(database, timeout=0, check_same_thread=False)

    async def create() -> InlineConnection:
        return await InlineConnection(connect, busy_timeout)
    return create
