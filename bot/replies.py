"""Answers to pressed buttons, sent after the update's commit and in order per chat, without
holding the lane (the replies themselves are outbox rows, sent by the outbox sender).

A chat's next update may be handled (and acknowledged) as soon as the previous one has
committed. That keeps a flooding chat moving at database speed, so the getUpdates window
(100 updates, confirmed only up to the oldest unfinished one) passes it quickly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("zhiyong.replies")
Send = Callable[[], Awaitable[None]]


class ReplyChains:
    """One ordered chain of send jobs per chat; failures are logged, never stop the chain."""

    def __init__(self) -> None:
        self._last: dict[int, asyncio.Task[None]] = {}

    def send(self, chat_id: int, job: Send) -> asyncio.Task[None]:
        before = self._last.get(chat_id)
        task = asyncio.create_task(self._after(before, job))
        self._last[chat_id] = task
        task.add_done_callback(lambda t: self._forget(chat_id, t))
        return task

    async def _after(self, before: asyncio.Task[None] | None, job: Send) -> None:
        if before is not None:
            await asyncio.wait([before])
        try:
            await job()
        except Exception:
            log.exception("sending a reply failed")

    def _forget(self, chat_id: int, task: asyncio.Task[None]) -> None:
        if self._last.get(chat_id) is task:
            del self._last[chat_id]

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for what is being sent (at shutdown)."""
        pending = list(self._last.values())
        if pending:
            await asyncio.wait(pending, timeout=timeout)
