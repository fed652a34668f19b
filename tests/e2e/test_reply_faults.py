"""Telegram refuses the reply to a citizen's own update, or the answer to a pressed button
(429 with retry_after, 502, a request that hangs past the client's timeout), through the real
python-telegram-bot and aiogram bots: the reply arrives once, after the fault, in the chat's
order, and the step's prompt never waits for the button's answer. Nothing logs an error.

Retry times of replies follow the injected clock (advanced here, put back afterwards); the
answer to a button is retried in real time, as Telegram only takes it for a few seconds.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from bot.emulator import BotApiEmulator, User
from bot.emulator.faults import Status
from tests.e2e.conftest import Live
from tests.e2e.test_aiogram import aio  # noqa: F401  (the aiogram bot fixture)
from tests.e2e.test_citizen_flow import COMPLAINT, start_filing
from workflow.deadlines.clock import FakeClock
from workflow.outbox.sender import OutboxSender

FAULTS: list[Status] = [429, 502, "timeout"]
CLIENT_TIMEOUT = 0.3   # seconds the bot waits for Telegram here; the emulator holds for 1 s


@dataclass
class Side:
    """One running bot as these tests drive it, whichever its framework."""

    emu: BotApiEmulator
    clock: FakeClock
    sender: OutboxSender
    set_timeout: Callable[[float | None], None]

    def has(self, user: User, text: str) -> list[int]:
        """Positions in the user's chat of the bot's messages containing `text`."""
        return [i for i, m in enumerate(user.sent()) if text in (m.plain or "")]

    async def until(self, done: Callable[[], bool], step: timedelta = timedelta(0),
                    rounds: int = 300) -> None:
        for _ in range(rounds):
            if done():
                return
            self.clock.advance(step)
            self.sender.wake()
            await asyncio.sleep(0.02)
        raise AssertionError("condition not reached")


@pytest.fixture
def no_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    caplog.set_level(logging.WARNING)
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


@pytest.fixture
async def ptb_side(live: Live, clock: FakeClock) -> AsyncIterator[Side]:
    def timeout(seconds: float | None) -> None:
        live.bot.transport.send_timeout = seconds
    start = clock.now()
    yield Side(live.emu, clock, live.bot.sender, timeout)
    live.emu.faults.clear()     # an outage "until 11:00" would start again at 10:00
    timeout(None)
    clock.set(start)


@pytest.fixture
async def aio_side(aio) -> AsyncIterator[Side]:  # noqa: F811
    emu, app, bot = aio
    clock = app.ctx.clock
    default = bot.bot.session.timeout

    def timeout(seconds: float | None) -> None:
        bot.bot.session.timeout = default if seconds is None else seconds
    start = clock.now()
    yield Side(emu, clock, bot.sender, timeout)
    emu.faults.clear()
    timeout(None)
    clock.set(start)


async def to_summary(user: User) -> None:
    await start_filing(user)
    await user.send(COMPLAINT)
    await user.wait_for(lambda m: "已记下" in (m.plain or ""))
    await user.press(user.sent()[-1], text="完成")
    await user.wait_for(lambda m: "被投诉的单位或人员是" in (m.plain or ""))
    await user.send("3号窗口")
    await user.wait_for(lambda m: "实名还是匿名" in (m.plain or ""))
    await user.tap("🙈 匿名提交")
    await user.wait_for(lambda m: "请核对" in (m.plain or ""))


async def ticket_number_under_fault(side: Side, user: User, status: Status) -> None:
    """确认提交 commits the ticket; its reply is refused once, and /help asked meanwhile
    waits behind it: afterwards the number arrives once, then the help."""
    await to_summary(user)
    if status == "timeout":
        side.set_timeout(CLIENT_TIMEOUT)
    fault = side.emu.fail("sendMessage", status, retry_after=30, hold=1.0, chat_id=user.id)
    await user.press(user.sent()[-1], text="确认提交")
    await side.until(lambda: fault.hits == 1)
    await user.send("/help")
    for _ in range(15):                     # the clock stands still: nothing may overtake
        side.sender.wake()
        await asyncio.sleep(0.02)
    assert not side.has(user, "已受理，投诉编号") and not side.has(user, "使用说明")
    await side.until(lambda: bool(side.has(user, "使用说明")), timedelta(seconds=5))
    await asyncio.sleep(0.3)
    numbers, helps = side.has(user, "已受理，投诉编号"), side.has(user, "使用说明")
    assert len(numbers) == 1 and len(helps) == 1, [m.plain for m in user.sent()[-4:]]
    assert numbers[0] < helps[0], "the chat's order is kept"
    assert fault.hits == 1
    side.set_timeout(None)


async def prompt_under_answer_fault(side: Side, user: User, status: Status) -> None:
    """The answer to 我要投诉 is refused once (429 asks for 2 s; a request hangs for 3 s): the
    next step's prompt arrives without waiting for it, and the button is answered after all."""
    await user.send("/start")
    welcome = await user.wait_for(lambda m: "隐私" in (m.plain or ""))
    fault = side.emu.fail("answerCallbackQuery", status, retry_after=2, hold=3.0)
    pressed = asyncio.create_task(user.press(welcome, text="我要投诉", timeout=10))
    await user.wait_for(lambda m: "请描述" in (m.plain or ""), timeout=5 if status == 502 else 1.8)
    if status != 502:
        assert not pressed.done(), "the prompt did not wait for the answer"
    assert await pressed is not None, "the button was answered after the fault"
    assert fault.hits == 1 and len(side.has(user, "请描述")) == 1


async def test_ticket_number_after_a_fault_once_in_order_ptb(
        ptb_side: Side, live: Live, new_id: Callable[[], int], no_errors: None) -> None:
    for status in FAULTS:
        await ticket_number_under_fault(ptb_side, live.citizen(new_id()), status)


async def test_ticket_number_after_a_fault_once_in_order_aiogram(
        aio_side: Side, new_id: Callable[[], int], no_errors: None) -> None:
    for status in FAULTS:
        await ticket_number_under_fault(aio_side, aio_side.emu.user(new_id(), "赵六"), status)


async def test_failed_button_answer_keeps_the_prompt_ptb(
        ptb_side: Side, live: Live, new_id: Callable[[], int], no_errors: None) -> None:
    for status in FAULTS:
        await prompt_under_answer_fault(ptb_side, live.citizen(new_id()), status)


async def test_failed_button_answer_keeps_the_prompt_aiogram(
        aio_side: Side, new_id: Callable[[], int], no_errors: None) -> None:
    for status in FAULTS:
        await prompt_under_answer_fault(aio_side, aio_side.emu.user(new_id(), "钱七"), status)
