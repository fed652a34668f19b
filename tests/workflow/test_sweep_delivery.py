"""The outbox sender under faults, with a fake transport and a fake clock (no real waiting).

429 with retry_after, 5xx / timeouts for an hour, a user who blocked the bot, Telegram's
rate limits, quiet hours: afterwards every notification has arrived once, in order per chat.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.app import App, build_app
from bot.config import Settings
from storage.tables import OutboxRow
from storage.uow import Database
from workflow.chat.messages import Outgoing
from workflow.context import Context
from workflow.deadlines.clock import FakeClock
from workflow.outbox.queue import enqueue
from workflow.outbox.ratelimit import LocalSlots, RateLimits, SharedSlots
from workflow.outbox.sender import (
    DeliveryPolicy,
    OutboxSender,
    PermanentFailure,
    RetryLater,
    TransientFailure,
)

# far from the session clock of the e2e bot, whose sender must not take these rows
MONDAY_10 = datetime(2031, 11, 24, 2, 0, tzinfo=UTC)


class FlakyTransport:
    """Records what arrives; `fail(chat, text) -> Exception | None` decides each attempt."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.arrived: list[tuple[int, str]] = []
        self.arrived_at: list[datetime] = []
        self.attempts: list[tuple[int, str]] = []
        self.fail: Callable[[int, str], Exception | None] = lambda chat, text: None

    async def send(self, out: Outgoing) -> int | None:
        text = str(out.params.get("text", ""))
        self.attempts.append((out.chat_id, text))
        error = self.fail(out.chat_id, text)
        if error is not None:
            raise error
        self.arrived.append((out.chat_id, text))
        self.arrived_at.append(self.clock.now())
        return len(self.arrived)

    def to(self, chat: int) -> list[str]:
        return [t for c, t in self.arrived if c == chat]


@pytest.fixture(scope="session")
async def delivery_app(settings: Settings, database: Database) -> AsyncIterator[App]:
    application = build_app(settings)
    yield application
    await application.close()


@dataclasses.dataclass
class Rig:
    ctx: Context
    clock: FakeClock
    transport: FlakyTransport
    sender: OutboxSender

    async def queue(self, chat: int, *texts: str) -> None:
        async with self.ctx.uow() as uow:
            for text in texts:
                await enqueue(self.ctx, uow, Outgoing(chat, "rating.done", {"text": text}),
                              f"test:{chat}:{text}", None, "test")
            await uow.commit()

    async def rounds(self, n: int, step: timedelta) -> None:
        for _ in range(n):
            await self.sender.run_once()
            self.clock.advance(step)

    async def rows(self, chat: int) -> list[OutboxRow]:
        async with self.ctx.uow() as uow:
            rows = await uow.session.exec(
                select(OutboxRow).where(OutboxRow.chat_id == chat).order_by(col(OutboxRow.id)))
            return [OutboxRow(**r.model_dump()) for r in rows]


@pytest.fixture
async def rig(delivery_app: App) -> Rig:
    clock = FakeClock(MONDAY_10)
    ctx = dataclasses.replace(delivery_app.ctx, clock=clock)
    transport = FlakyTransport(clock)

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    # leftovers of other tests go first (without limits: they take no slots), so rounds here
    # are ours
    await OutboxSender(ctx, transport, "test", DeliveryPolicy(batch=200)).drain(rounds=50)
    sender = OutboxSender(ctx, transport, "test", DeliveryPolicy(batch=200),
                          SharedSlots(ctx, RateLimits()), sleep)
    transport.arrived.clear()
    transport.arrived_at.clear()
    transport.attempts.clear()
    return Rig(ctx, clock, transport, sender)


async def test_429_keeps_order_per_chat(rig: Rig, new_id: Callable[[], int]) -> None:
    a, b = new_id(), new_id()
    await rig.queue(a, "a1", "a2", "a3")
    await rig.queue(b, "b1", "b2")
    flooded = {"a1"}

    def fail(chat: int, text: str) -> Exception | None:
        if text in flooded:
            flooded.discard(text)
            return RetryLater(30)
        return None

    rig.transport.fail = fail
    await rig.sender.run_once()
    assert rig.transport.to(a) == [] and rig.transport.to(b) == ["b1", "b2"]
    await rig.queue(a, "a4")                    # new row while a1 waits: must not overtake
    rig.clock.advance(seconds=5)
    await rig.sender.run_once()
    assert rig.transport.to(a) == []
    await rig.rounds(10, timedelta(seconds=10))
    assert rig.transport.to(a) == ["a1", "a2", "a3", "a4"]


async def test_an_hour_of_5xx_and_timeouts_then_everything_once(rig: Rig,
                                                                 new_id: Callable[[], int]) -> None:
    chats = [new_id() for _ in range(3)]
    outage_end = rig.clock.now() + timedelta(hours=1)
    rig.transport.fail = lambda chat, text: (
        TransientFailure("500 Internal Server Error") if rig.clock.now() < outage_end else None)
    for i in range(4):
        for c in chats:
            await rig.queue(c, f"m{i}")
        await rig.rounds(1, timedelta(minutes=5))
    await rig.rounds(60, timedelta(minutes=2))
    for c in chats:
        assert rig.transport.to(c) == ["m0", "m1", "m2", "m3"]
        assert all(r.status == "sent" for r in await rig.rows(c))
    # backoff, not a storm: a few dozen attempts per chat over the hour, not thousands
    assert len(rig.transport.attempts) < 40 * len(chats)


async def test_a_send_in_flight_past_the_stale_age_is_not_sent_again(
        rig: Rig, new_id: Callable[[], int]) -> None:
    chat = new_id()
    answered = asyncio.Event()
    arrived = asyncio.Event()
    send = rig.transport.send

    async def slow_send(out: Outgoing) -> int | None:
        message_id = await send(out)
        if not arrived.is_set():    # the first try: Telegram has it, its answer is on the way
            arrived.set()
            await answered.wait()
        return message_id

    rig.transport.send = slow_send  # type: ignore[method-assign]
    await rig.queue(chat, "once")
    in_flight = asyncio.create_task(rig.sender.run_once())
    await arrived.wait()
    rig.clock.advance(rig.sender.policy.stale_after + timedelta(minutes=1))
    assert await rig.sender.run_once() == 0      # its own claim looks stale, but is in hand
    answered.set()
    assert await in_flight == 1
    rig.clock.advance(rig.sender.policy.stale_after + timedelta(minutes=1))
    await rig.sender.run_once()
    assert rig.transport.to(chat) == ["once"]
    assert [r.status for r in await rig.rows(chat)] == ["sent"]


async def test_blocked_user_recorded_no_retries(rig: Rig, new_id: Callable[[], int]) -> None:
    blocked = new_id()
    rig.transport.fail = lambda chat, text: (
        PermanentFailure("forbidden: bot was blocked by the user") if chat == blocked else None)
    await rig.queue(blocked, "x1")
    await rig.rounds(5, timedelta(minutes=10))
    rows = await rig.rows(blocked)
    assert [(r.status, r.attempts) for r in rows] == [("failed", 1)]
    assert "blocked" in rows[0].error
    assert len([1 for c, _ in rig.transport.attempts if c == blocked]) == 1


async def test_group_rate_limit_defers_without_reordering(rig: Rig,
                                                          new_id: Callable[[], int]) -> None:
    group = -new_id()
    texts = [f"g{i:02d}" for i in range(25)]
    await rig.queue(group, *texts)
    start = rig.clock.now()
    await rig.sender.run_once()
    assert rig.transport.to(group) == texts[:20]     # 20 per minute per group
    assert rig.clock.now() - start >= timedelta(seconds=16)   # 1/s per chat after a burst of 3
    await rig.rounds(10, timedelta(seconds=10))
    assert rig.transport.to(group) == texts
    assert all(r.attempts == 1 for r in await rig.rows(group))   # deferral is not a failure


async def test_quiet_hours_send_citizen_messages_silently(rig: Rig,
                                                          new_id: Callable[[], int]) -> None:
    citizen = new_id()
    rig.clock.set(datetime(2031, 11, 24, 15, 0, tzinfo=UTC))     # 23:00 in Shanghai
    await rig.queue(citizen, "late")
    await rig.sender.run_once()
    assert rig.transport.to(citizen) == ["late"]                 # not held until morning
    (row,) = await rig.rows(citizen)
    assert row.payload["silent"] is True


async def test_two_senders_share_the_group_limit(rig: Rig, new_id: Callable[[], int]) -> None:
    """Two senders (two processes' worth) on one database: 20 a minute to the group together."""
    group = -new_id()
    texts = [f"s{i:02d}" for i in range(70)]
    await rig.queue(group, *texts)
    other = OutboxSender(rig.ctx, rig.transport, "other", DeliveryPolicy(batch=7),
                         SharedSlots(rig.ctx, RateLimits()), rig.sender.sleep)
    rig.sender.policy.batch = 7
    for _ in range(60):
        await rig.sender.run_once()
        await other.run_once()
        rig.clock.advance(seconds=3)
    rig.sender.policy.batch = 200
    assert rig.transport.to(group) == texts
    rows = await rig.rows(group)
    assert {r.claimed_by for r in rows} == {"test", "other"}
    slots = sorted(r.claimed_at for r in rows if r.claimed_at is not None)
    assert all(b - a >= timedelta(minutes=1) for a, b in zip(slots, slots[20:], strict=False))


async def test_local_slots_keep_the_same_limits_in_memory(rig: Rig, new_id: Callable[[], int]
                                                          ) -> None:
    """One process (SQLite): the same windows from memory, no transaction per message."""
    group, person = -new_id(), new_id()
    await rig.queue(group, *[f"g{i:02d}" for i in range(45)])
    await rig.queue(person, *[f"p{i:02d}" for i in range(6)])
    rig.sender.slots = LocalSlots(rig.clock, RateLimits())
    start = rig.clock.now()
    for _ in range(100):
        await rig.sender.run_once()
        rig.clock.advance(seconds=1)
    arrivals = list(zip(rig.transport.arrived, rig.transport.arrived_at, strict=True))
    to_group = [at for (chat, _), at in arrivals if chat == group]
    assert len(to_group) == 45
    for at in to_group:   # never more than 20 in any minute
        assert sum(at <= t < at + timedelta(minutes=1) for t in to_group) <= 20
    to_person = [at for (chat, _), at in arrivals if chat == person]
    assert len(to_person) == 6 and to_person[-1] >= start + timedelta(seconds=3)
