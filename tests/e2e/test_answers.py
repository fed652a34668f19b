"""A typed answer or a Telegram reply to a staff 追问 reaches the question (PTB + emulator)."""

from __future__ import annotations

import itertools

from bot.emulator import Group, User
from tests.e2e.test_staff_desk import (
    DeskWorld,
    card_of,
    current,
    desk_world,
    file_complaint,
    has,
    plain,
)

__all__ = ["desk_world"]   # the module fixture, shared
_users = itertools.count(920_000_000)


async def ask(staff: User, housing: Group, card_id: int, question: str) -> None:
    card = housing.emu.message(housing.id, card_id)
    await staff.press(card, text="追问")
    await staff.wait_for(has("要问投诉人的问题"))
    await staff.send(question)
    await staff.wait_for(has("已转达投诉人"))


async def test_typed_and_swipe_answers_reach_the_group(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "赵市民", username="typist")
    staff = await w.staff("钱办事", "housing")
    housing = w.groups["housing"]
    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await staff.press(card, text="签收")
    await citizen.wait_for(has("签收办理"))

    await ask(staff, housing, card.message_id, "请问是几号楼？")
    question = await citizen.wait_for(has("几号楼"))
    assert "直接发送您的回答" in plain(question)
    await citizen.send("在3号楼东侧。")                       # typed, no button
    told = await citizen.wait_for(has("追问的回复转达"))
    assert number in plain(told)
    relayed = await housing.wait_for(has("在3号楼东侧"))
    assert relayed.reply_to == card.message_id and "钱办事" in plain(relayed)   # threaded, mentioned

    await ask(staff, housing, current(housing, card).message_id, "通道锁了多久？")
    second = await citizen.wait_for(has("锁了多久"))
    await citizen.send("/new")
    await citizen.wait_for(has("请描述"))                      # a draft is in progress now
    await citizen.send("大约三个月。", reply_to=second)       # swipe-reply: the question wins
    await housing.wait_for(has("大约三个月"))
    await citizen.wait_for(has("已转达"))
    await citizen.send("从八月开始。", reply_to=second)       # the same question again
    await citizen.wait_for(has("已作为补充转达"))
    await housing.wait_for(has("从八月开始"))

    await ask(staff, housing, current(housing, card).message_id, "物业怎么说？")
    await citizen.wait_for(has("物业怎么说"))
    await citizen.send("小区北门的垃圾站一直没人清理，已经半个月了。")
    which = await citizen.wait_for(has("是哪一个"))
    await citizen.press(which, text="📝 是正在填写的投诉")
    await citizen.wait_for(has("已记下"))
    await citizen.send("臭味很大。")                          # the draft keeps the next texts
    await citizen.wait_for(lambda m: "已记下" in plain(m) and m is not which
                           and "臭味" not in plain(m))
    assert not any("北门的垃圾站" in plain(m) for m in housing.sent())


async def test_a_reply_goes_to_its_own_ticket_and_not_to_an_answered_one(
        desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "冯市民", username="two_tickets")
    staff = await w.staff("褚办事", "housing")
    housing = w.groups["housing"]
    first = await file_complaint(citizen)
    card1 = await card_of(housing, first)
    second = await file_complaint(citizen, again=True)
    card2 = await card_of(housing, second)
    for card in (card1, card2):
        await staff.press(card, text="签收")
        await housing.wait_for(lambda m, c=card: m.edited and m.message_id == c.message_id)

    await ask(staff, housing, card1.message_id, "第一件：是几号楼？")
    q1 = await citizen.wait_for(has("第一件"))
    await ask(staff, housing, card2.message_id, "第二件：是几楼？")
    q2 = await citizen.wait_for(has("第二件"))
    await citizen.send("5号楼。", reply_to=q1)       # two questions open: the swipe decides
    relayed = await housing.wait_for(has("5号楼"))
    assert first in plain(relayed) and relayed.reply_to == card1.message_id

    await staff.press(current(housing, card2), text="答复")
    await staff.wait_for(has("提交答复"))
    await staff.send("经核查，物业已整改。")
    prompt = await staff.wait_for(has("提交答复"))
    await staff.press(prompt, text="提交答复")
    await citizen.wait_for(has("物业已整改"))
    await citizen.send("三楼。", reply_to=q2)        # its ticket was answered meanwhile
    refused = await citizen.wait_for(has(second))
    assert "已答复" in plain(refused)
    await citizen.send("/mine")
    await citizen.wait_for(has("我的投诉"))
    assert not any("三楼" in plain(m) for m in housing.sent())


async def voice_and_location_answers(citizen: User, staff: User, housing: Group,
                                     card_id: int) -> None:
    """A spoken answer and a shared location answer a 追问 too (a 0 s voice is refused).
    Shared by both frameworks' tests."""
    await ask(staff, housing, card_id, "请说一下具体位置？")
    asked = await citizen.wait_for(has("具体位置"))
    await citizen.send_voice(duration=0)
    await citizen.wait_for(has("0 秒"))
    await citizen.send_voice(duration=15)
    await citizen.wait_for(has("转达"))
    voice = await housing.wait_for(lambda m: m.kind == "voice" and "回复" in (m.caption or ""))
    assert voice.reply_to == card_id
    await citizen.send_location(30.5931, 114.3055, reply_to=asked)
    await citizen.wait_for(has("已作为补充转达"))
    where = await housing.wait_for(lambda m: "openstreetmap.org" in (m.text or ""))
    assert where.reply_to == card_id and "在地图上查看" in plain(where)


async def test_voice_and_location_answer_a_question(desk_world: DeskWorld) -> None:
    w = desk_world
    citizen = w.emu.user(next(_users), "严老伯")
    staff = await w.staff("华办事", "housing")
    housing = w.groups["housing"]
    number = await file_complaint(citizen)
    card = await card_of(housing, number)
    await staff.press(card, text="签收")
    await citizen.wait_for(has("签收办理"))
    await voice_and_location_answers(citizen, staff, housing, card.message_id)
