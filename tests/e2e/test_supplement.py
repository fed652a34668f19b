"""Filing the same complaint again, through the real bot: offered as a supplement to the first."""

from __future__ import annotations

from collections.abc import Callable

import opencc

from bot.emulator import SentMessage, User
from nlp.normalize import to_simplified
from tests.e2e.conftest import Live
from tests.e2e.test_citizen_flow import COMPLAINT, finish_filing, number_of, start_filing


def _says(words: str) -> Callable[[SentMessage], bool]:
    """Matches in either script: the bot answers a Traditional writer in Traditional."""
    return lambda m: words in to_simplified(m.plain or "")


async def _file(user: User, text: str) -> None:
    await start_filing(user)
    await user.send(text)
    await user.wait_for(_says("已记下"))


async def test_a_traditional_refiling_is_caught_as_the_same_complaint(live: Live,
                                                                     citizen: User) -> None:
    await _file(citizen, COMPLAINT)
    first = number_of(await finish_filing(citizen))
    traditional = opencc.OpenCC("s2t").convert(COMPLAINT)
    assert traditional != COMPLAINT
    await _file(citizen, traditional)
    await citizen.press(citizen.sent()[-1], text="完成")
    await citizen.wait_for(_says("被投诉"))
    await citizen.send("区政务服务中心3号窗口")
    await citizen.wait_for(_says("实名还是匿名"))
    await citizen.tap("🙈 匿名提交")
    summary = await citizen.wait_for(_says("请核对"))
    await citizen.press(summary, text="确认提交")
    offer = await citizen.wait_for(_says("已反映过相同问题"))
    assert first in (offer.plain or "")
    await citizen.press(offer, text=f"补充到 {first}")
    await citizen.wait_for(_says("已作为补充材料"))
    async with live.app.ctx.uow() as uow:
        t = await uow.tickets.by_number(first)
        assert t is not None and t.id is not None
        assert [e.kind for e in await uow.events.for_ticket(t.id)][-1] == "supplement"
