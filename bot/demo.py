"""`zhiyong demo`: the whole spine offline — emulated Telegram, the real bot, a scripted citizen.

Prints the transcript: citizen ↔ bot in the private chat, then what the department group got.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path

import click

from bot.app import build_app, calendar_of
from bot.config import Settings, StorageConfig, TelegramConfig
from bot.emulator import BotApiEmulator, SentMessage, User
from bot.ptb.runner import PtbBot
from workflow.clock import FakeClock, SystemClock

DEMO_TOKEN = "424242:DEMO"
CITIZEN_ID = 5550001
GROUP_BASE = -1009000000000
COMPLAINT = ("上周三我去区政务服务大厅办营业执照，3号窗口的工作人员一直在玩手机，说材料不全让我回去等通知。"
             "我前后跑了五趟，每次都说缺不同的材料，从来不一次性告知，问他缺什么就说“不归我管，去问别人”。")
ACCUSED = "XX区政务服务中心3号窗口"


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def citizen(self, what: str) -> None:
        self.lines.append(f"\n👤 市民：{what}")

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
    await asyncio.sleep(0.3)  # let a second reply (e.g. summary after a notice) arrive
    for m in user.sent()[start:]:
        t.bot(m)


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


def demo_settings(base: Settings, api_url: str, db_path: Path) -> Settings:
    s = base.model_copy(deep=True)
    s.telegram = TelegramConfig(api_url=api_url, poll_timeout=1)
    s.storage = StorageConfig(url=f"sqlite:///{db_path}")
    s.scheduler.outbox_poll_seconds = 0.1
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
                forwarded = len(emu.calls("forwardMessage"))
                t.lines.append(f"\n（转发 forwardMessage 调用次数：{forwarded}；附件按 file_id 重新发送，"
                               "工作群看不到投诉人的姓名、用户名、电话或账号）")
        finally:
            await app.close()
            await emu.stop()
        click.echo("\n".join(t.lines))
