"""`zhiyong demo`: the whole spine offline — emulated Telegram, the real bot, a scripted citizen.

Prints the transcript: citizen ↔ bot in the private chat, then what the department group got.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from datetime import timedelta
from pathlib import Path

import click

from bot.app import App, build_app, calendar_of
from bot.config import Settings, StorageConfig, TelegramConfig
from bot.emulator import BotApiEmulator, Group, SentMessage, User
from bot.ptb.runner import PtbBot
from workflow.deadlines.clock import FakeClock, SystemClock
from workflow.desk.staff import create_staff_invite

DEMO_TOKEN = "424242:DEMO"
CITIZEN_ID = 5550001
STAFF_ID = 5550002
ANSWER = "经核查，3号窗口工作人员确有一次性告知不到位的问题，已批评教育并调离窗口岗位；您的营业执照已于今日办结，可到1号窗口领取。"
GROUP_BASE = -1009000000000
COMPLAINT = ("上周三我去区政务服务大厅办营业执照，3号窗口的工作人员一直在玩手机，说材料不全让我回去等通知。"
             "我前后跑了五趟，每次都说缺不同的材料，从来不一次性告知，问他缺什么就说“不归我管，去问别人”。")
ACCUSED = "XX区政务服务中心3号窗口"


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []

    citizen_label = "👤 市民"

    def citizen(self, what: str) -> None:
        self.lines.append(f"\n{self.citizen_label}：{what}")

    def bot(self, m: SentMessage) -> None:
        body = m.plain or m.caption or ""
        media = {"photo": "[照片] ", "document": "[文件] "}.get(m.kind, "")
        self.lines.append("🤖 机器人：" + media + body.replace("\n", "\n           "))
        if m.button_texts:
            self.lines.append("           " + "  ".join(f"[{t}]" for t in m.button_texts))

    def heading(self, title: str) -> None:
        self.lines.append(f"\n{'=' * 12} {title} {'=' * 12}")


async def _exchange(t: Transcript, user: User, said: str, action: object) -> None:
    """Do one citizen action, then print every bot message it caused."""
    t.citizen(said)
    start = len(user.sent())
    await action  # type: ignore[misc]
    await user.wait_for(after=start)
    await _quiet(user)
    for m in user.sent()[start:]:
        t.bot(m)


QUIET_SECONDS = 0.4     # a second reply (the summary after a notice) comes within this
MAX_SETTLE_SECONDS = 3.0


async def _quiet(user: User) -> None:
    """Wait until nothing new has reached the user for QUIET_SECONDS (at most MAX_SETTLE_SECONDS)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_SETTLE_SECONDS
    seen = len(user.sent())
    while loop.time() < deadline:
        await asyncio.sleep(QUIET_SECONDS)
        if len(user.sent()) == seen:
            return
        seen = len(user.sent())


def _last_with_button(user: User, label: str) -> SentMessage:
    return next(m for m in reversed(user.sent()) if any(label in b for b in m.button_texts))


async def _script(t: Transcript, citizen: User) -> str:
    await _exchange(t, citizen, "/start", citizen.send("/start"))
    await _exchange(t, citizen, "（按）📝 我要投诉",
                    citizen.press(_last_with_button(citizen, "我要投诉"), text="我要投诉"))
    await _exchange(t, citizen, COMPLAINT, citizen.send(COMPLAINT))
    await _exchange(t, citizen, "[照片] 窗口前排队的照片", citizen.send_photo(caption="窗口前排队的照片"))
    await _exchange(t, citizen, "（按）✅ 完成", citizen.press(_last_with_button(citizen, "完成"),
                                                          text="完成"))
    await _exchange(t, citizen, ACCUSED, citizen.send(ACCUSED))
    await _exchange(t, citizen, "（按）🙈 匿名提交", citizen.tap("🙈 匿名提交"))
    await _exchange(t, citizen, "（按）✅ 确认提交",
                    citizen.press(_last_with_button(citizen, "确认提交"), text="确认提交"))
    done = citizen.sent()[-1].plain or ""
    found = re.search(r"ZY-\d{8}-\d+", done)
    return found.group(0) if found else ""


async def _staff_handles(t: Transcript, app: App, emu: BotApiEmulator, citizen: User,
                         group: Group, dept: str, number: str) -> None:
    """A department staff member joins, signs for the ticket and answers it."""
    invite = await create_staff_invite(app.ctx, dept, "staff")
    staff = emu.user(STAFF_ID, "张科员", username="zhang_keyuan")
    group.add_member(staff)
    t.heading("工作人员 张科员")
    t.citizen_label = "👷 张科员"
    await _exchange(t, staff, f"/join {invite.code}", staff.send(f"/join {invite.code}"))
    card = next(m for m in group.sent() if number in (m.plain or "") and m.callback_data)
    mark = len(group.sent())
    t.citizen("（在工作群按）✍️ 签收")
    answer = await staff.press(card, text="签收")
    t.lines.append(f"🤖 机器人（按钮提示）：{answer.text if answer else ''}")
    await group.wait_for(lambda m: m.edited, after=mark)
    t.bot(emu.message(group.id, card.message_id))
    card = emu.message(group.id, card.message_id)
    await _exchange(t, staff, "（在工作群按）📨 答复", staff.press(card, text="答复"))
    await _exchange(t, staff, ANSWER, staff.send(ANSWER))
    prompt = next(m for m in reversed(staff.sent()) if "提交答复" in " ".join(m.button_texts))
    await _exchange(t, staff, "（按）提交答复", staff.press(prompt, text="提交答复"))
    await citizen.wait_for(lambda m: ANSWER[:8] in (m.plain or ""), after=0, timeout=10)
    t.heading("市民收到的办理通知")
    for m in citizen.sent():
        if "签收" in (m.plain or "") or ANSWER[:8] in (m.plain or ""):
            t.bot(m)


async def _rating(t: Transcript, bot: PtbBot, clock: FakeClock, citizen: User) -> None:
    """The next morning the scheduler asks the complainant to rate the answer."""
    clock.advance(timedelta(days=1))
    shown = clock.now().astimezone(bot.app.settings.zone).strftime("%Y-%m-%d %H:%M")
    t.heading(f"次日 {shown}：定时任务请市民评价")
    mark = len(citizen.sent())
    await bot.scheduler.sweep_now()
    bot.sender.wake()
    ask = await citizen.wait_for(lambda m: bool(m.callback_data), after=mark, timeout=10)
    t.bot(ask)
    t.citizen_label = "👤 市民"
    await _exchange(t, citizen, "（按）满意", citizen.press(ask, text="满意"))


def demo_settings(base: Settings, api_url: str, db_path: Path) -> Settings:
    s = base.model_copy(deep=True)
    s.telegram = TelegramConfig(api_url=api_url, poll_timeout=1)
    s.storage = StorageConfig(url=f"sqlite:///{db_path}")
    s.scheduler.outbox_poll_seconds = 0.1
    # the demo's clock stands still (and it talks to the emulator): Telegram's limits, counted
    # on that clock, would never free a slot
    s.scheduler.rate_limits = False
    for i, dept in enumerate(s.departments.values()):
        dept.chat_id = GROUP_BASE - i
    return s


async def run_demo(base: Settings, keep_db: str | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="zhiyong-demo-") as tmp:
        db_path = Path(keep_db) if keep_db else Path(tmp) / "demo.db"
        emu = await BotApiEmulator(token=DEMO_TOKEN).start()
        settings = demo_settings(base, emu.api_url, db_path)
        groups = {k: emu.group(d.chat_id or 0, f"{d.name}工作群")
                  for k, d in settings.departments.items()}
        # Department groups only hear from the bot in working hours: play the demo in them.
        now = SystemClock().now()
        clock = FakeClock(calendar_of(settings).next_working_time(now))
        app = build_app(settings, clock=clock)
        await app.prepare()
        t = Transcript()
        shown = clock.now().astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
        t.lines.append(f"（演示时钟：{shown}，工作时间内；数据库：{db_path}）")
        try:
            async with PtbBot(app, emu.token) as bot:
                citizen = emu.user(CITIZEN_ID, "王小明", username="xiaoming", language_code="zh-hans")
                t.heading("市民 ↔ 机器人（私聊）")
                number = await _script(t, citizen)
                await bot.sender.drain()
                async with app.ctx.uow() as uow:
                    ticket = await uow.tickets.by_number(number)
                dept = ticket.department if ticket else "supervision"
                group = groups[dept]
                await group.wait_for(lambda m: m.kind == "photo" and number in (m.caption or ""),
                                     timeout=10)
                t.heading(f"{settings.department_name(dept)}工作群 收到")
                for m in group.sent():
                    t.bot(m)
                await _staff_handles(t, app, emu, citizen, group, dept, number)
                await _rating(t, bot, clock, citizen)
                forwarded = len(emu.calls("forwardMessage"))
                t.lines.append(f"\n（转发 forwardMessage 调用次数：{forwarded}；附件按 file_id 重新发送，"
                               "工作群看不到投诉人的姓名、用户名、电话或账号）")
        finally:
            await app.close()
            await emu.stop()
        click.echo("\n".join(t.lines))
