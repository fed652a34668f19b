"""Answers to pressed buttons, sent after the update's commit and in order per chat, without
holding the lane (the replies themselves are outbox rows, sent by the outbox sender).

A chat's next update may be handled (and acknowledged) as soon as the previous one has
committed. That keeps a flooding chat moving at database speed, so the getUpdates window
(100 updates, confirmed only up to the oldest unfinished one) passes it quickly.

The replies this process claimed go out on the chain of the chat they are for, so its rows
still in flight need not hold a chat's next replies back (dispatch pre-claims them behind
ours). Once a row of a chat is left for a retry, that chat's claimed replies are handed back
to the outbox sender for a while, which sends them after it, in order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from workflow.model import OutboxMessage
from workflow.outbox.sender import OutboxSender

log = logging.getLogger("zhiyong.replies")
Send = Callable[[], Awaitable[None]]
HOLD_SECONDS = 120.0   # after a held row, a chat's replies go through the sender this long


class ReplyChains:
    """One ordered chain of send jobs per chat; failures are logged, never stop the chain."""

    def __init__(self) -> None:
        self._last: dict[int, asyncio.Task[None]] = {}
        self._held_until: dict[int, float] = {}

    def deliver(self, sender: OutboxSender, chat_id: int, claimed: list[OutboxMessage],
                first: Send | None = None) -> None:
        """After the commit: `first` (a button's answer) and the claimed rows of `chat_id` on
        its chain, the claimed rows of any other chat on that chat's chain."""
        by_chat: dict[int, list[OutboxMessage]] = {}
        for m in claimed:
            by_chat.setdefault(m.chat_id, []).append(m)
        own = by_chat.pop(chat_id, [])
        if first is not None or own:
            self.send(chat_id, lambda: self._in_order(sender, chat_id, own, first))
        for other, rows in by_chat.items():
            self.send(other, lambda other=other, rows=rows: self._in_order(sender, other, rows))

    async def _in_order(self, sender: OutboxSender, chat_id: int, rows: list[OutboxMessage],
                        first: Send | None = None) -> None:
        if first is not None:
            try:
                await first()
            except Exception:   # a failed answer must not keep the replies back
                log.exception("answering a button failed")
        if not rows:
            return
        if self._held_until.get(chat_id, 0.0) > time.monotonic():
            await sender.hand_back(rows, "after an earlier message of this chat")
            return
        if await sender.deliver_claimed(rows) < len(rows):
            self._held_until[chat_id] = time.monotonic() + HOLD_SECONDS

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
            if self._held_until.get(chat_id, 0.0) <= time.monotonic():
                self._held_until.pop(chat_id, None)

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for what is being sent (at shutdown)."""
        pending = list(self._last.values())
        if pending:
            await asyncio.wait(pending, timeout=timeout)
