"""Nothing held back, nobody woken; urgent means now (PTB + emulator, Saturday 03:00).

An urgent complaint reports a fire: the citizen is told to call 119 before anything else, the
card reaches the group at once and rings, the sign-for clock counts natural hours. A
non-urgent card at the same hour also goes at once, silently, as do the citizen's replies.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.emulator import BotApiEmulator, User
from tests.e2e.conftest import Live
from tests.e2e.test_citizen_flow import COMPLAINT, finish_filing, number_of, start_filing
from workflow.deadlines.clock import FakeClock

SATURDAY_3AM = datetime(2026, 11, 20, 19, 0, tzinfo=UTC)      # Sat 2026-11-21 03:00 Shanghai
FIRE = "我家楼道里着火了，浓烟很大，物业的消防栓没有水，打电话物业也不管。"


@pytest.fixture
async def night(live: Live) -> AsyncIterator[Live]:
    ctx = live.app.ctx
    saved, ctx.clock = ctx.clock, FakeClock(SATURDAY_3AM)
    try:
        yield live
    finally:
        ctx.clock = saved


def send_call(emu: BotApiEmulator, chat_id: int, needle: str) -> dict[str, Any]:
    for call in reversed(emu.calls("sendMessage")):
        if call.params.get("chat_id") in (chat_id, str(chat_id)) and needle in str(
                call.params.get("text", "")):
            return call.params
    raise AssertionError(f"no sendMessage to {chat_id} with {needle!r}")


def rang(params: dict[str, Any]) -> bool:
    return str(params.get("disable_notification", "false")).lower() not in ("true", "1")


async def test_urgent_at_3am_rings_at_once_with_natural_hours(night: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(FIRE)
    advice = await citizen.wait_for(lambda m: "119" in (m.plain or ""))
    ack = await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    assert advice.seq < ack.seq, "the emergency advice comes before anything else"
    number = number_of(await finish_filing(citizen, accused="某某物业"))
    t = await night.ticket(number)
    assert t.urgent
    assert t.sign_due == SATURDAY_3AM + timedelta(hours=2)     # not Monday
    group = night.groups[t.department]
    await group.wait_for(lambda m: number in (m.plain or "") and "投诉内容" in (m.plain or ""))
    assert rang(send_call(night.emu, group.id, number))


async def test_ordinary_card_at_3am_goes_at_once_silently(night: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(COMPLAINT)
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    number = number_of(await finish_filing(citizen))
    t = await night.ticket(number)
    assert not t.urgent
    group = night.groups[t.department]
    await group.wait_for(lambda m: number in (m.plain or "") and "投诉内容" in (m.plain or ""))
    assert not rang(send_call(night.emu, group.id, number))
    assert not rang(send_call(night.emu, citizen.id, number))   # quiet hours: silent too
