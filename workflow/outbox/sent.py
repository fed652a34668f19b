"""Recording sent messages: the marks of messages sent at about the same time (replies to many
chats in flight at once) are written together, one transaction for all of them.

A caller waits until its own mark is committed, as it would for a transaction of its own, so
nothing after it (the next row of the chat, the chat's next claim) sees the row unsettled.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from workflow.context import Context

Mark = tuple[int, datetime, int | None]   # outbox id, sent at, Telegram's message id


class SentMarks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._pending: list[Mark] = []
        self._batch: asyncio.Future[None] | None = None   # the commit the pending marks await
        self._writer: asyncio.Task[None] | None = None

    async def mark(self, msg_id: int, at: datetime, message_id: int | None) -> None:
        """Record one message sent; returns once that is committed (raises if it failed)."""
        if self._batch is None:
            self._batch = asyncio.get_running_loop().create_future()
        batch = self._batch
        self._pending.append((msg_id, at, message_id))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await asyncio.shield(batch)

    async def _write(self) -> None:
        try:
            while self._pending:
                marks, batch = self._pending, self._batch
                self._pending, self._batch = [], None
                assert batch is not None
                try:
                    async with self.ctx.uow() as uow:
                        await uow.outbox.mark_sent_many(marks)
                        await uow.commit()
                except Exception as exc:   # every waiter of this batch gets the error
                    batch.set_exception(exc)
                else:
                    batch.set_result(None)
        finally:
            self._writer = None
