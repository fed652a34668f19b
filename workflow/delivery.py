"""Delivering the outbox: claim due rows atomically, send, record the outcome.

A row is claimed in one short transaction and marked sent in another, so a process killed
in between loses nothing: its claim goes stale and another sender re-takes it.
Per chat, order is kept: after a failure, later rows of that chat wait for the next round.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from workflow.context import Context
from workflow.messages import Outgoing, from_payload
from workflow.model import OutboxMessage

log = logging.getLogger("zhiyong.delivery")


class RetryLater(Exception):
    """Telegram asked us to wait (429 retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class TransientFailure(Exception):
    """5xx, timeouts, network: try again with backoff."""


class PermanentFailure(Exception):
    """Blocked by the user, chat not found: retrying cannot help."""


class Transport(Protocol):
    async def send(self, out: Outgoing) -> int | None:
        """Send one outgoing message; return the (first) Telegram message id."""
        ...


@dataclass
class DeliveryPolicy:
    batch: int = 50
    stale_after: timedelta = timedelta(minutes=2)
    max_backoff: timedelta = timedelta(minutes=10)

    def backoff(self, attempts: int) -> timedelta:
        return min(timedelta(seconds=2 ** min(attempts, 12)), self.max_backoff)


class OutboxSender:
    def __init__(self, ctx: Context, transport: Transport, worker: str,
                 policy: DeliveryPolicy | None = None) -> None:
        self.ctx, self.transport, self.worker = ctx, transport, worker
        self.policy = policy or DeliveryPolicy()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver what is due now; return how many messages were sent."""
        claimed = await self._claim()
        blocked_chats: set[int] = set()
        sent = 0
        for msg in claimed:
            if msg.chat_id in blocked_chats:
                await self._retry(msg, timedelta(0), "waiting for an earlier message of this chat")
                continue
            if await self._deliver(msg):
                sent += 1
            else:
                blocked_chats.add(msg.chat_id)
        return sent

    async def drain(self, rounds: int = 20) -> int:
        """Send until nothing is due (tests, demo)."""
        total = 0
        for _ in range(rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total

    async def run_forever(self, poll_seconds: float) -> None:
        while True:
            try:
                await self.run_once()
            except Exception:  # a failed round must not stop delivery for good
                log.exception("outbox round failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
            self._wake.clear()

    async def _claim(self) -> list[OutboxMessage]:
        now = self.ctx.now()
        async with self.ctx.uow() as uow:
            claimed = await uow.outbox.claim(now, self.worker, self.policy.batch,
                                             now - self.policy.stale_after)
            await uow.commit()
        return claimed

    async def _deliver(self, msg: OutboxMessage) -> bool:
        assert msg.id is not None
        try:
            message_id = await self.transport.send(from_payload(msg.chat_id, msg.payload))
        except RetryLater as exc:
            await self._retry(msg, timedelta(seconds=exc.seconds), str(exc))
            return False
        except TransientFailure as exc:
            await self._retry(msg, self.policy.backoff(msg.attempts), str(exc))
            return False
        except PermanentFailure as exc:
            log.warning("outbox %s to %s given up: %s", msg.id, msg.chat_id, exc)
            async with self.ctx.uow() as uow:
                await uow.outbox.mark_failed(msg.id, str(exc))
                await uow.commit()
            return True
        async with self.ctx.uow() as uow:
            await uow.outbox.mark_sent(msg.id, self.ctx.now(), message_id)
            await uow.commit()
        return True

    async def _retry(self, msg: OutboxMessage, wait: timedelta, error: str) -> None:
        assert msg.id is not None
        async with self.ctx.uow() as uow:
            await uow.outbox.retry_at(msg.id, self.ctx.now() + wait, error)
            await uow.commit()
