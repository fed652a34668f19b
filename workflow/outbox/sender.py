"""Delivering the outbox: claim due rows atomically, send, record the outcome.

A row is claimed in one short transaction and marked sent in another, so a process killed
in between loses nothing: its claim goes stale and another sender re-takes it.
Per chat, order is strict: a row waiting for a retry (or held by the rate limiter) holds back
every later row of its chat, here and in the claim query, so nothing overtakes it.
Telegram's limits (per bot, per group, per chat) are kept across processes: each message takes
a send slot in the database first (`ratelimit.take_slot`); short waits are slept, longer ones
hand the row back with a later not_before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflow.chat.messages import CARD_KINDS, Outgoing, from_payload
from workflow.chat.state import remembered_script
from workflow.context import Context
from workflow.model import OutboxMessage
from workflow.outbox.sent import SentMarks
from workflow.ports import SendSlots, Transport

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


@dataclass
class DeliveryPolicy:
    batch: int = 50
    stale_after: timedelta = timedelta(minutes=2)
    max_backoff: timedelta = timedelta(minutes=10)
    max_inline_wait: float = 1.0     # rate-limit waits up to this are slept, longer ones deferred

    def backoff(self, attempts: int) -> timedelta:
        return min(timedelta(seconds=2 ** min(attempts, 12)), self.max_backoff)


class OutboxSender:
    def __init__(self, ctx: Context, transport: Transport, worker: str,
                 policy: DeliveryPolicy | None = None, slots: SendSlots | None = None,
                 sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> None:
        self.ctx, self.transport, self.worker = ctx, transport, worker
        self.policy = policy or DeliveryPolicy()
        self.slots = slots     # the bot passes Telegram's limits; None (tools, tests): none
        self.sleep = sleep
        self._wake = asyncio.Event()
        self._sent = SentMarks(ctx)   # marks of messages sent at once share a transaction
        self._in_hand: set[int] = set()   # rows this process holds until they are settled
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def run_once(self) -> int:
        """Deliver what is due now; return how many messages were sent."""
        return await self.deliver_claimed(await self._claim())

    def hold(self, claimed: list[OutboxMessage]) -> None:
        """Rows this process has claimed and will send: a claim of its own that looks stale
        (a slow send, a clock moved on) is still in hand, never sent a second time."""
        self._in_hand.update(m.id for m in claimed if m.id is not None)

    async def deliver_claimed(self, claimed: list[OutboxMessage]) -> int:
        """Send rows this worker has claimed, in order per chat; return how many were sent."""
        self.hold(claimed)
        try:
            return await self._deliver_all(claimed)
        finally:
            self._in_hand.difference_update(m.id for m in claimed)

    async def _deliver_all(self, claimed: list[OutboxMessage]) -> int:
        held: dict[int, datetime] = {}       # chat -> when its next row may go
        sent = 0
        for msg in claimed:
            if self._stopping:      # hand back what this process will not send now
                await self._release(msg, self.ctx.now(), "sender stopped")
                continue
            if msg.chat_id in held:
                await self._release(msg, held[msg.chat_id], "after an earlier message of this chat")
                continue
            wait = await self._slot(msg)
            if wait > 0:
                held[msg.chat_id] = self.ctx.now() + timedelta(seconds=wait)
                await self._release(msg, held[msg.chat_id], "rate limit")
                continue
            retry = await self._deliver(msg)
            if retry is None:
                sent += 1
            else:
                held[msg.chat_id] = retry
        return sent

    async def hand_back(self, claimed: list[OutboxMessage], why: str) -> None:
        """Give claimed rows back untried: the claim loop then sends them in their chat's order."""
        now = self.ctx.now()
        try:
            for msg in claimed:
                await self._release(msg, now, why)
        finally:
            self._in_hand.difference_update(m.id for m in claimed)
        self.wake()

    async def _slot(self, msg: OutboxMessage) -> float:
        """0 once `msg` holds a send slot; short waits are slept (another process may take
        the freed slot first, so a few tries), else the seconds this row must wait."""
        if self.slots is None:
            return 0.0
        for _ in range(5):
            wait = await self.slots.take(msg)
            if wait == 0 or wait > self.policy.max_inline_wait:
                return wait
            await self.sleep(wait)
        return self.policy.max_inline_wait

    async def drain(self, rounds: int = 20) -> int:
        """Send until nothing is due (tests, demo)."""
        total = 0
        for _ in range(rounds):
            n = await self.run_once()
            total += n
            if n == 0:
                break
        return total

    async def release_dead(self, is_dead: Callable[[str], bool]) -> int:
        """Give back the claims of workers known to be dead (a process killed on this host),
        so the chats they held do not wait for the claims to go stale."""
        released = 0
        async with self.ctx.uow() as uow:
            for worker in await uow.outbox.claimers():
                if worker != self.worker and is_dead(worker):
                    released += await uow.outbox.release_claims_of(worker, "its worker died")
            await uow.commit()
        if released:
            log.warning("outbox: %d message(s) claimed by dead workers are pending again",
                        released)
        return released

    def stop(self) -> None:
        """Finish the message in hand, give the rest of the claim back, then leave run_forever.

        Cancelling a sender between sending and recording it would leave its row claimed, and
        every later message of that chat waiting for the claim to go stale.
        """
        self._stopping = True
        self._wake.set()

    async def run_forever(self, poll_seconds: float) -> None:
        while not self._stopping:
            try:
                await self.run_once()
            except Exception:  # a failed round must not stop delivery for good
                log.exception("outbox round failed")
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
            # arrives just as wake() fires, and stop() then waits for this task forever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def _claim(self) -> list[OutboxMessage]:
        now = self.ctx.now()
        async with self.ctx.uow() as uow:
            claimed = await uow.outbox.claim(now, self.worker, self.policy.batch,
                                             now - self.policy.stale_after)
            await uow.commit()
        return [m for m in claimed if m.id not in self._in_hand]

    async def _resolve_card_edit(self, out: Outgoing) -> Outgoing:
        """A card change queued before the card itself was sent edits it now that it is.

        Rows of one chat are delivered in order, so the card has gone out by this time; if it
        never could (failed), the change is sent as a new card.
        """
        if out.thread_card_of is not None and out.reply_to is None:
            async with self.ctx.uow() as uow:
                card = await uow.outbox.last_sent(out.thread_card_of, out.chat_id, CARD_KINDS)
            out.reply_to = card.message_id if card is not None else None
        if out.edit_card_of is None or out.edit_message_id is not None:
            return out
        async with self.ctx.uow() as uow:
            last = await uow.outbox.last_sent(out.edit_card_of, out.chat_id, CARD_KINDS)
        if last is not None and last.message_id is not None:
            out.edit_message_id = last.message_id
        return out

    async def _resolve_script(self, out: Outgoing) -> Outgoing:
        """A person's notice is written in the script they read now; groups read Simplified."""
        if out.script is not None or out.chat_id < 0:
            return out
        async with self.ctx.uow() as uow:
            out.script = remembered_script(await uow.conversations.get(out.chat_id))
        return out

    async def _deliver(self, msg: OutboxMessage) -> datetime | None:
        """Send one row; None when it is settled (sent or given up), else its retry time."""
        assert msg.id is not None
        try:
            out = await self._resolve_script(
                await self._resolve_card_edit(from_payload(msg.chat_id, msg.payload)))
            message_id = await self.transport.send(out)
        except RetryLater as exc:
            return await self._retry(msg, timedelta(seconds=exc.seconds), str(exc))
        except TransientFailure as exc:
            return await self._retry(msg, self.policy.backoff(msg.attempts), str(exc))
        except PermanentFailure as exc:
            log.warning("outbox %s to %s given up: %s", msg.id, msg.chat_id, exc)
            async with self.ctx.uow() as uow:
                await uow.outbox.mark_failed(msg.id, str(exc))
                await uow.commit()
            return None
        await self._sent.mark(msg.id, self.ctx.now(), message_id)
        return None

    async def _retry(self, msg: OutboxMessage, wait: timedelta, error: str) -> datetime:
        assert msg.id is not None
        at = self.ctx.now() + wait
        log.info("outbox %s to %s: retry at %s (%s)", msg.id, msg.chat_id, at, error)
        async with self.ctx.uow() as uow:
            await uow.outbox.retry_at(msg.id, at, error)
            await uow.commit()
        return at

    async def _release(self, msg: OutboxMessage, at: datetime, why: str) -> None:
        """Hand a row back untried (its attempt is not counted), due again at `at`."""
        assert msg.id is not None
        async with self.ctx.uow() as uow:
            await uow.outbox.release(msg.id, at, why)
            await uow.commit()
