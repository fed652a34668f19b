"""A citizen files a complaint through the real PTB bot and the emulator; the group gets the card."""

from __future__ import annotations

import re

from bot.emulator import SentMessage, User
from tests.e2e.conftest import Live

COMPLAINT = ("上周三我到区政务服务大厅办营业执照，3号窗口的工作人员一直玩手机，"
             "让我回去等通知，跑了五趟都说材料不全，又不一次性告诉我缺什么。")


async def start_filing(user: User) -> None:
    await user.send("/start")
    welcome = await user.wait_for()
    assert "隐私" in (welcome.plain or "") and len(welcome.button_texts) == 3
    await user.press(welcome, text="我要投诉")
    await user.wait_for(lambda m: "请描述" in (m.plain or ""))


async def finish_filing(user: User, accused: str = "区政务服务中心3号窗口") -> SentMessage:
    await user.press(await _last_with(user, "完成"), text="完成")
    await user.wait_for(lambda m: "被投诉" in (m.plain or ""))
    await user.send(accused)
    await user.wait_for(lambda m: "实名还是匿名" in (m.plain or ""))
    await user.tap("🙈 匿名提交")
    summary = await user.wait_for(lambda m: "请核对" in (m.plain or ""))
    await user.press(summary, text="确认提交")
    return await user.wait_for(lambda m: "投诉编号" in (m.plain or ""))


async def _last_with(user: User, label: str) -> SentMessage:
    for m in reversed(user.sent()):
        if any(label in t for t in m.button_texts):
            return m
    raise AssertionError(f"no message with a {label} button")


def number_of(msg: SentMessage) -> str:
    found = re.search(r"ZY-\d{8}-\d{4,}", msg.plain or "")
    assert found, msg.plain
    return found.group(0)


async def test_complaint_with_photo_reaches_department_group(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(COMPLAINT)
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await citizen.send_photo(caption="排队的照片")
    await citizen.wait_for(lambda m: "1 个附件" in (m.plain or ""))
    await citizen.send_document("材料清单.pdf")
    await citizen.wait_for(lambda m: "2 个附件" in (m.plain or ""))
    done = await finish_filing(citizen)
    number = number_of(done)
    assert "答复期限" in (done.plain or "")

    ticket = await live.ticket(number)
    group = live.groups[ticket.department]
    card = await group.wait_for(lambda m: number in (m.plain or "") and "投诉内容" in (m.plain or ""))
    assert COMPLAINT in (card.plain or "")
    assert "区政务服务中心3号窗口" in (card.plain or "")
    files = [await group.wait_for(lambda m, k=k: m.kind == k and number in (m.caption or ""))
             for k in ("photo", "document")]
    citizen_files = [m for m in live.emu.updates if m.get("message", {}).get("from", {}).get("id")
                     == citizen.id and ("photo" in m["message"] or "document" in m["message"])]
    assert {f.file_id for f in files} == {
        (u["message"]["photo"][-1]["file_id"] if "photo" in u["message"]
         else u["message"]["document"]["file_id"]) for u in citizen_files}
    assert not live.emu.calls("forwardMessage"), "attachments must be re-sent, never forwarded"
    for m in group.sent():
        seen = (m.plain or "") + (m.caption or "")
        for secret in (str(citizen.id), f"citizen{citizen.id}", "王小明"):
            assert secret not in seen, f"department group saw the complainant: {secret}"

    await citizen.send("/mine")
    mine = await citizen.wait_for(lambda m: "我的投诉" in (m.plain or ""))
    assert number in (mine.plain or "")


async def test_real_name_shares_own_phone_only(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(COMPLAINT)
    await citizen.press(await _last_with(citizen, "完成"), text="完成")
    await citizen.wait_for(lambda m: "被投诉" in (m.plain or ""))
    await citizen.press(await _last_with(citizen, "跳过"), text="跳过")
    await citizen.wait_for(lambda m: "实名还是匿名" in (m.plain or ""))
    await citizen.tap("📱 实名提交（分享手机号）", phone_number="+8613912345678")
    summary = await citizen.wait_for(lambda m: "请核对" in (m.plain or ""))
    assert "+86 139****5678" in (summary.plain or "")
    await citizen.press(summary, text="确认提交")
    number = number_of(await citizen.wait_for(lambda m: "投诉编号" in (m.plain or "")))
    ticket = await live.ticket(number)
    assert not ticket.anonymous
    card = await live.groups[ticket.department].wait_for(lambda m: number in (m.plain or ""))
    assert "13912345678" not in (card.plain or "") and "5678" not in (card.plain or "")


async def test_html_in_complaint_is_shown_as_typed(live: Live, citizen: User) -> None:
    nasty = "窗口人员说<b>不归我管</b> & 让我找<script>alert(1)</script>别的部门，推诿了三次"
    await start_filing(citizen)
    await citizen.send(nasty)
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    number = number_of(await finish_filing(citizen, accused="<i>某科室</i> & Co"))
    ticket = await live.ticket(number)
    card = await live.groups[ticket.department].wait_for(lambda m: number in (m.plain or ""))
    assert nasty in (card.plain or "") and "<i>某科室</i> & Co" in (card.plain or "")


async def test_five_long_messages_are_kept_and_split_for_the_group(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    for i in range(5):
        await citizen.send(f"第{i + 1}段：" + "办事窗口推诿拖延，" * 454)
        await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    number = number_of(await finish_filing(citizen))
    ticket = await live.ticket(number)
    assert ticket.text.count("办事窗口推诿拖延") == 5 * 454
    group = live.groups[ticket.department]
    await group.wait_for(lambda m: number in (m.plain or ""))
    await group.wait_for(lambda m: "第5段" in (m.plain or ""))


async def test_short_empty_and_unsupported_input_get_clear_replies(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send("太慢")
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await citizen.press(await _last_with(citizen, "完成"), text="完成")
    await citizen.wait_for(lambda m: "描述太短" in (m.plain or ""))
    await citizen.send("   ")
    await citizen.wait_for(lambda m: "没有收到文字" in (m.plain or ""))
    await citizen.send_sticker()
    await citizen.wait_for(lambda m: "贴纸" in (m.plain or ""))
    await citizen.send_voice(duration=0)
    await citizen.wait_for(lambda m: "0 秒" in (m.plain or ""))
    await citizen.send_voice(duration=900, data=b"OggS" + bytes(21 * 1024 * 1024))
    await citizen.wait_for(lambda m: "语音太大" in (m.plain or ""))
    await citizen.send_poll("满意吗", ["是", "否"])
    await citizen.wait_for(lambda m: "投票" in (m.plain or ""))
    await citizen.send("/frobnicate")
    await citizen.wait_for(lambda m: "不认识的命令" in (m.plain or ""))
    await citizen.send("/cancel")
    confirm = await citizen.wait_for(lambda m: "确定放弃" in (m.plain or ""))
    await citizen.press(confirm, text="放弃草稿")
    await citizen.wait_for(lambda m: "已取消" in (m.plain or ""))


async def test_second_start_offers_resume_and_old_buttons_go_stale(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(COMPLAINT)
    ack = await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await citizen.send("/start")
    resume = await citizen.wait_for(lambda m: "未提交的投诉" in (m.plain or ""))
    await citizen.press(resume, text="放弃草稿")
    await citizen.wait_for(lambda m: "已取消" in (m.plain or ""))
    answer = await citizen.press(ack, text="完成")
    assert answer is not None and answer.show_alert and "失效" in (answer.text or "")


async def test_restart_mid_filing_loses_nothing(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send(COMPLAINT)
    ack = await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await live.bot.stop()
    from bot.ptb.runner import PtbBot

    live.bot = PtbBot(live.app, live.emu.token)
    await live.bot.start()
    await citizen.press(ack, text="完成")          # a button from before the restart
    await citizen.wait_for(lambda m: "被投诉" in (m.plain or ""))


async def test_redelivered_update_is_handled_once(live: Live, citizen: User) -> None:
    await citizen.send("/help")
    await citizen.wait_for(lambda m: "使用说明" in (m.plain or ""))
    update = next(u for u in reversed(live.emu.updates)
                  if u.get("message", {}).get("chat", {}).get("id") == citizen.id)
    before = len(citizen.sent())
    await live.emu.inject_raw(dict(update))
    await citizen.send("/mine")
    await citizen.wait_for(lambda m: "还没有提交" in (m.plain or ""))
    assert len(citizen.sent()) == before + 1


async def test_location_and_voice_are_kept_as_evidence(live: Live, citizen: User) -> None:
    await start_filing(citizen)
    await citizen.send_location(30.593100, 114.305500)         # a location with no text
    await citizen.wait_for(lambda m: "1 个附件" in (m.plain or ""))
    await citizen.send(COMPLAINT)
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    await citizen.send_voice(duration=12)
    await citizen.wait_for(lambda m: "2 个附件" in (m.plain or ""))
    number = number_of(await finish_filing(citizen))
    group = live.groups[(await live.ticket(number)).department]
    card = await group.wait_for(lambda m: number in (m.plain or "") and "投诉内容" in (m.plain or ""))
    assert "openstreetmap.org/?mlat=30.593100&amp;mlon=114.305500" in (card.text or "")
    assert "附件：1 个" in (card.plain or "")                 # the voice; the location is the link
    await group.wait_for(lambda m: m.kind == "voice" and number in (m.caption or ""))
