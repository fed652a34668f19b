"""The citizen's filing conversation, framework-free, on a real database and the real classifier."""

from __future__ import annotations

import dataclasses
import itertools
import re
import types
from collections.abc import Callable

from bot.app import App
from workflow.chat import dispatch
from workflow.chat.messages import Incoming, Response, Sender

_updates = itertools.count(10**9)


class Citizen:
    """Drives workflow.chat.dispatch the way an adapter would."""

    def __init__(self, app: App, user_id: int) -> None:
        self.app, self.id = app, user_id
        self.last: Response = Response()

    async def _send(self, **fields: object) -> Response:
        msg = Incoming(update_id=next(_updates), chat_id=self.id, chat_type="private",
                       sender=Sender(self.id, "测试", username="tester"), **fields)  # type: ignore[arg-type]
        self.last = await dispatch.handle(self.app.ctx, msg)
        return self.last

    async def text(self, text: str) -> Response:
        return await self._send(kind="text", text=text)

    async def command(self, name: str, args: str = "") -> Response:
        return await self._send(kind="command", command=name, args=args, text=f"/{name}")

    async def photo(self, caption: str = "") -> Response:
        return await self._send(kind="photo", file_id=f"photo-{self.id}", text=caption)

    async def press(self, key: str) -> Response:
        """Press the button labelled by template `key` among the last messages' buttons."""
        for out in reversed(self.last.messages):
            for row in out.buttons + out.keyboard:
                for b in row:
                    if b.key == key:
                        return await self._send(kind="button", data=b.data)
        raise AssertionError(f"no button {key} in {[m.key for m in self.last.messages]}")

    async def share_contact(self, phone: str, own: bool = True) -> Response:
        return await self._send(kind="contact", contact_phone=phone,
                                contact_user_id=self.id if own else self.id + 1)

    def keys(self) -> list[str]:
        return [m.key for m in self.last.messages]


COMPLAINT = "我在区政务大厅办营业执照，窗口工作人员让我跑了五趟，每次都说材料不全又不一次性告知，推诿扯皮。"


async def file_complaint(c: Citizen) -> Response:
    await c.command("start")
    await c.press("btn.file")
    await c.text(COMPLAINT)
    await c.photo("现场排队照片")
    await c.press("btn.done")
    await c.text("XX区政务服务中心3号窗口")
    await c.press("btn.anonymous")
    assert "file.summary" in c.keys()
    return await c.press("btn.submit")


async def test_full_filing_creates_ticket_and_queues_card(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    resp = await file_complaint(c)
    out = resp.messages[-1]
    assert out.key == "file.submitted"
    number = out.params["number"]
    today = app.ctx.local(app.ctx.now()).strftime("%Y%m%d")
    assert re.fullmatch(rf"ZY-{today}-\d{{4,}}", number), number
    async with app.ctx.uow() as uow:
        t = await uow.tickets.by_number(number)
        assert t is not None and t.id is not None
        assert t.anonymous and t.accused == "XX区政务服务中心3号窗口"
        assert "现场排队照片" in t.text and t.answer_due is not None
        assert [a.kind for a in await uow.attachments.for_ticket(t.id)] == ["photo"]
        assert [e.kind for e in await uow.events.for_ticket(t.id)] == ["filed", "routed"]


async def test_too_short_description_asks_for_more(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c.command("start")
    await c.press("btn.file")
    await c.text("太慢了")
    await c.press("btn.done")
    assert c.keys() == ["file.too_short"]
    await c.text("   ")
    assert c.keys() == ["file.empty_text"]


async def test_restart_mid_flow_offers_resume(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c.command("start")
    await c.press("btn.file")
    await c.text(COMPLAINT)
    old = c.last
    await c.command("start")
    assert c.keys() == ["file.resume_prompt"]
    await c.press("btn.resume")
    assert c.keys() == ["file.describe_prompt"]
    c.last = old
    await c.press("btn.done")   # an old 完成 button of the same draft still works
    assert c.keys() == ["file.accused_prompt"]


async def test_stale_button_after_cancel_is_refused(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c.command("start")
    await c.press("btn.file")
    await c.text(COMPLAINT)
    old = c.last
    await c.command("cancel")
    assert c.keys() == ["file.cancel_confirm"]          # asked first, nothing discarded yet
    await c.press("btn.discard")
    assert "file.cancelled" in c.keys()
    c.last = old
    resp = await c.press("btn.done")
    assert resp.answer_key == "error.stale_button" and resp.answer_alert


async def test_contact_must_be_the_users_own(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c.command("start")
    await c.press("btn.file")
    await c.text(COMPLAINT)
    await c.press("btn.done")
    await c.press("btn.skip")
    await c.share_contact("13800001234", own=False)
    assert c.keys() == ["file.contact_not_own"]
    await c.share_contact("13800001234")
    assert c.keys() == ["file.identity_real", "file.summary"]
    assert c.last.messages[-1].params["phone"] == "+86 138****1234"


async def test_redelivered_update_is_handled_once(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    msg = Incoming(update_id=next(_updates), chat_id=c.id, chat_type="private", kind="command",
                   command="start", sender=Sender(c.id))
    assert (await dispatch.handle(app.ctx, msg)).messages
    assert not (await dispatch.handle(app.ctx, msg)).messages


async def test_unsupported_content_gets_a_hint(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c._send(kind="unsupported", unsupported="sticker")
    assert c.keys() == ["file.unsupported"]


async def test_mine_lists_own_tickets_only(app: App, new_id: Callable[[], int]) -> None:
    c, other = Citizen(app, new_id()), Citizen(app, new_id())
    number = (await file_complaint(c)).messages[-1].params["number"]
    await c.command("mine")
    assert [i["number"] for i in c.last.messages[0].params["items"]] == [number]
    await other.command("mine")
    assert other.keys() == ["mine.empty"]


async def test_greeting_help_and_cancel_say_where_the_draft_is(app: App,
                                                               new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    await c.text("你好！")
    assert c.keys() == ["start.welcome"]                 # a greeting is not a complaint
    await c.press("btn.file")
    await c.text(COMPLAINT)
    await c.command("help")
    assert c.keys() == ["help.text", "help.draft_in_progress"]
    await c.command("cancel")
    assert c.keys() == ["file.cancel_confirm"]
    await c.press("btn.resume")
    assert c.keys() == ["file.describe_prompt"]          # the draft is still there


def _strict(app: App) -> App:
    """The app with low abuse limits: 5 messages a minute, 1 complaint a day."""
    rules = dataclasses.replace(app.ctx.rules, max_messages_per_minute=5,
                                max_complaints_per_day=1)
    return types.SimpleNamespace(ctx=dataclasses.replace(app.ctx, rules=rules))  # type: ignore[return-value]


async def test_a_flood_gets_one_notice_then_silence(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(_strict(app), new_id())
    await c.command("start")
    for i in range(4):
        await c.text(f"第{i}条：{COMPLAINT}")
        assert c.keys()[-1] == "file.describe_ack" or c.keys() == ["file.started_from_text",
                                                                   "file.describe_ack"]
    await c.text("再来一条")
    assert c.keys() == ["flood.slow_down"]               # told once
    await c.text("还有一条")
    assert c.keys() == []                                 # then dropped quietly


async def test_daily_cap_keeps_the_draft(app: App, new_id: Callable[[], int]) -> None:
    c = Citizen(_strict(app), new_id())
    assert (await file_complaint(c)).messages[-1].key == "file.submitted"
    c.app.ctx.clock.advance(minutes=2)                    # a new flood window  # type: ignore[attr-defined]
    await file_complaint(c)
    assert c.keys() == ["file.duplicate"]                 # the same again: add to the first?
    resp = await c.press("btn.file_anyway")
    assert resp.answer_key == "error.daily_cap" and resp.answer_params["max"] == 1


async def test_the_same_complaint_again_becomes_a_supplement(app: App,
                                                             new_id: Callable[[], int]) -> None:
    c = Citizen(app, new_id())
    first = (await file_complaint(c)).messages[-1].params["number"]
    await c.command("start")
    await c.press("btn.file")
    await c.text(COMPLAINT.replace("五趟", "六趟") + "今天又去了一次。")
    await c.photo("新拍的排队照片")
    await c.press("btn.done")
    await c.press("btn.skip")
    await c.press("btn.anonymous")
    await c.press("btn.submit")
    assert c.keys() == ["file.duplicate"] and c.last.messages[0].params["number"] == first
    await c.press("btn.supplement")
    assert c.keys() == ["file.supplemented"]
    async with app.ctx.uow() as uow:
        t = await uow.tickets.by_number(first)
        assert t is not None and t.id is not None
        assert [e.kind for e in await uow.events.for_ticket(t.id)][-1] == "supplement"
        assert len(await uow.attachments.for_ticket(t.id)) == 2
        who = await uow.complainants.by_telegram_id(c.id)
        assert who is not None and who.id is not None
        assert len(await uow.tickets.for_complainant(who.id)) == 1   # no second ticket


def test_similarity_tells_the_same_problem_from_another() -> None:
    from workflow.tickets.supplement import SIMILAR, similarity
    assert similarity(COMPLAINT, COMPLAINT + "今天又去了。") >= SIMILAR
    assert similarity(COMPLAINT, "小区物业把消防通道锁了三个月，住建局一直推诿。") < SIMILAR
    assert similarity("", COMPLAINT) == 0.0
