"""Telegram misbehaves (emulator fault injection) while the real bot delivers its outbox.

500s for a simulated hour, 429 with retry_after, a user who blocked the bot: afterwards every
notification has arrived exactly once and in order per chat, and a blocked user costs one
attempt per message, not a retry storm. Simulated time is the session's FakeClock, put back
when the test ends so the other end-to-end tests keep their Monday morning.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.emulator import User
from storage.tables import OutboxRow
from tests.e2e.conftest import Live
from workflow.chat.messages import Outgoing
from workflow.deadlines.clock import FakeClock
from workflow.outbox.queue import enqueue


@pytest.fixture
async def restore_clock(clock: FakeClock, live: Live) -> AsyncIterator[FakeClock]:
    """Put the clock back, and retire this test's faults first: an outage that ends "at 11:00"
    would start again once the clock is back at 10:00."""
    start = clock.now()
    yield clock
    live.emu.faults.clear()
    clock.set(start)


async def queue(live: Live, chat: int, *labels: str) -> None:
    """Notifications as a state change would write them (error.ticket_not_found shows the label)."""
    ctx = live.app.ctx
    async with ctx.uow() as uow:
        for label in labels:
            await enqueue(ctx, uow, Outgoing(chat, "error.ticket_not_found", {"number": label}),
                          f"fault-test:{chat}:{label}", None, "test")
        await uow.commit()
    live.bot.sender.wake()


def texts(live: Live, chat: int, labels: list[str]) -> list[str]:
    """The labels that arrived in `chat`, in arrival order (each occurrence counted)."""
    return [label for m in live.emu.sent(chat) for label in labels if label in (m.plain or "")]


async def until(predicate: Callable[[], bool], live: Live, clock: FakeClock | None = None,
                step: timedelta = timedelta(seconds=0), rounds: int = 400) -> None:
    for _ in range(rounds):
        if predicate():
            return
        if clock is not None:
            clock.advance(step)
        live.bot.sender.wake()
        await asyncio.sleep(0.02)
    raise AssertionError("condition not reached")


async def rows(live: Live, chat: int) -> list[OutboxRow]:
    async with live.app.ctx.uow() as uow:
        found = await uow.session.exec(select(OutboxRow).where(OutboxRow.chat_id == chat)
                                       .order_by(col(OutboxRow.id)))
        return [OutboxRow(**r.model_dump()) for r in found]


async def test_an_hour_of_500s_then_each_message_once_in_order(
        live: Live, restore_clock: FakeClock, new_id: Callable[[], int]) -> None:
    clock = restore_clock
    users = [live.citizen(new_id()) for _ in range(2)]
    outage_ends: datetime = clock.now() + timedelta(hours=1)
    # One fault per chat: other tests' leftover rows for unknown chats must not count as hits.
    faults = [live.emu.fail("sendMessage", 500, until=lambda: clock.now() >= outage_ends,
                            chat_id=u.id) for u in users]

    def hits() -> int:
        return sum(f.hits for f in faults)
    labels = [f"F{i}" for i in range(4)]
    for i, label in enumerate(labels):             # new notices keep coming during the outage
        for u in users:
            await queue(live, u.id, label)
        await until(lambda i=i: hits() >= 2 * (i + 1), live, clock, timedelta(minutes=3))
    await until(lambda: all(len(texts(live, u.id, labels)) == 4 for u in users), live, clock,
                timedelta(minutes=2))
    for u in users:
        assert texts(live, u.id, labels) == labels, "once each, in order"
    assert clock.now() >= outage_ends and hits() < 60, "backoff, not a retry storm"
    await asyncio.sleep(0.2)
    for u in users:
        assert texts(live, u.id, labels) == labels


async def test_429_retry_after_is_honoured_in_order(
        live: Live, restore_clock: FakeClock, citizen: User) -> None:
    clock = restore_clock
    fault = live.emu.fail("sendMessage", 429, retry_after=30, times=2, chat_id=citizen.id)
    labels = ["R1", "R2", "R3"]
    await queue(live, citizen.id, *labels)
    await until(lambda: fault.hits >= 1, live)
    clock.advance(seconds=10)                      # inside retry_after: nothing may be sent
    for _ in range(10):
        live.bot.sender.wake()
        await asyncio.sleep(0.02)
    assert texts(live, citizen.id, labels) == []
    await until(lambda: texts(live, citizen.id, labels) == labels, live, clock,
                timedelta(seconds=15))
    for _ in range(100):                           # marked sent just after Telegram answered
        sent = [r for r in await rows(live, citizen.id) if r.kind == "test"]
        if [r.status for r in sent] == ["sent"] * 3:
            break
        await asyncio.sleep(0.02)
    assert [r.status for r in sent] == ["sent"] * 3


async def test_blocked_user_is_recorded_without_retries(
        live: Live, restore_clock: FakeClock, citizen: User) -> None:
    clock = restore_clock
    live.emu.block(citizen.id)
    await queue(live, citizen.id, "B1", "B2")

    def attempts() -> int:
        return len([c for c in live.emu.calls("sendMessage") if c.params.get("chat_id")
                    in (citizen.id, str(citizen.id))])

    await until(lambda: attempts() >= 2, live)
    for _ in range(10):                            # an hour later: still no new attempts
        clock.advance(minutes=6)
        live.bot.sender.wake()
        await asyncio.sleep(0.02)
    assert attempts() == 2
    failed = [r for r in await rows(live, citizen.id) if r.kind == "test"]
    assert [(r.status, r.attempts) for r in failed] == [("failed", 1), ("failed", 1)]
    assert all("blocked" in r.error for r in failed)


async def test_an_hour_of_timeouts_then_each_message_once_in_order(
        live: Live, restore_clock: FakeClock, citizen: User) -> None:
    """Requests hang (the emulator holds them past the client's timeout) for a simulated hour."""
    clock = restore_clock
    live.bot.transport.send_timeout = 0.2
    outage_ends = clock.now() + timedelta(hours=1)
    fault = live.emu.fail("sendMessage", "timeout", hold=1.0, chat_id=citizen.id,
                          until=lambda: clock.now() >= outage_ends)
    labels = ["T1", "T2", "T3"]
    try:
        await queue(live, citizen.id, *labels)
        await until(lambda: texts(live, citizen.id, labels) == labels, live, clock,
                    timedelta(minutes=4), rounds=600)
    finally:
        live.bot.transport.send_timeout = None
    assert clock.now() >= outage_ends and 1 <= fault.hits < 30
    assert texts(live, citizen.id, labels) == labels, "once each, in order"
