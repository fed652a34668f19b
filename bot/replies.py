"""Answers to pressed buttons, sent after the update's commit and in order per chat, without
holding the lane (the replies themselves are outbox rows, sent by the outbox sender).

A button's answer that Telegram refuses for now (429, 5xx, a timeout) is retried beside the
chain, for as long as Telegram still takes an answer to the press: the step's prompt, an outbox
row, goes out meanwhile and never waits for it.

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
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from workflow.model import OutboxMessage
from workflow.outbox.sender import OutboxSender, RetryLater, TransientFailure

log = logging.getLogger("zhiyong.replies")
Send = Callable[[], Awaitable[None]]
Answer = Callable[[], Awaitable[object]]
Outcome = Callable[[Exception], Exception | None]   # the transport's error mapping
ANSWER_WITHIN = 10.0   # seconds after the press: later, Telegram says the query is too old
FIRST_BACKOFF = 0.25   # seconds before retrying an answer after a 5xx or a timeout
FIRST_TRY_WAIT = 1.0   # seconds the replies wait for the answer's first try at most
HOLD_SECONDS = 120.0   # after a held row, a chat's replies go through the sender this long


class ReplyChains:
    """One ordered chain of send jobs per chat; failures are logged, never stop the chain."""

    def __init__(self, answer_within: float = ANSWER_WITHIN) -> None:
        self._last: dict[int, asyncio.Task[None]] = {}
        self._answering: set[asyncio.Task[None]] = set()
        self.answer_within = answer_within
        self._held_until: dict[int, float] = {}

    def deliver(self, sender: OutboxSender, chat_id: int, claimed: list[OutboxMessage],
                first: Send | None = None) -> None:
        """After the commit: `first` (a button's answer) and the claimed rows of `chat_id` on
        its chain, the claimed rows of any other chat on that chat's chain."""
        sender.hold(claimed)
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

    async def answer(self, attempt: Answer, outcome: Outcome) -> None:
        """Answer a button beside the chain. Its first try normally lands before the replies
        (the toast, then the next message); the prompt waits for it at most FIRST_TRY_WAIT."""
        tried = asyncio.Event()
        task = asyncio.create_task(_answer(attempt, outcome, self.answer_within, tried))
        self._answering.add(task)
        task.add_done_callback(self._answering.discard)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FIRST_TRY_WAIT):
                await tried.wait()

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for what is being sent (at shutdown)."""
        pending = [*self._last.values(), *self._answering]
        if pending:
            await asyncio.wait(pending, timeout=timeout)


async def _answer(attempt: Answer, outcome: Outcome, within: float, tried: asyncio.Event
                  ) -> None:
    backoff = FIRST_BACKOFF
    try:
        async with asyncio.timeout(within):
            while (wait := await _try_answer(attempt, outcome, backoff)) is not None:
                tried.set()
                await asyncio.sleep(wait)
                backoff *= 2
    except TimeoutError:
        log.warning("answering a button given up after %.0fs", within)
    finally:
        tried.set()


async def _try_answer(attempt: Answer, outcome: Outcome, backoff: float) -> float | None:
    """One try; the seconds to wait before the next one, None when done or not retried."""
    try:
        await attempt()
        return None
    except Exception as exc:
        failure = outcome(exc)
        if failure is None:
            log.exception("answering a button failed")
            return None
        if isinstance(failure, RetryLater | TransientFailure):
            wait = failure.seconds if isinstance(failure, RetryLater) else backoff
            log.info("answering a button: retry in %.2fs (%s)", wait, failure)
            return wait
        log.warning("answering a button failed: %s", failure)   # e.g. answered already
        return None
