"""`zhiyong bench intake`: the real bot against the emulator with N citizens filing at once,
and, in the same run, a bare echo bot of the same framework against the same kind of load.

Both bots run as separate processes (`zhiyong run`, and `python -m bot.bench_intake --echo`)
so their CPU time and peak RSS are theirs alone (read from /proc); the emulator and the
citizens run here. Each citizen: /start → file → description → done → skip → anonymous →
submit, waiting for the bot's answer to every step (bot/emulator/scripted.py); the echo bot's citizens take the same
seven steps (text, button, text, button, button, text, button) and it answers each one.
Prints JSON lines: one per bot, then the ratio of their throughput. Telegram's limits (30
messages a second per bot, …) would cap the bot at Telegram's pace, not ours, and the echo bot
keeps none: they are off in the bot under test unless asked for (`rate_limits`). With
ZHIYONG_BENCH_PROFILE=FILE the bot runs under cProfile (stats written to FILE on exit).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.emulator import BotApiEmulator, SentMessage, User
from bot.emulator.scripted import (
    ANSWERED,
    COMPLAINT,
    ECHOED_ANONYMOUS,
    ECHOED_COMPLAINT,
    WARM_UP_NAME,
    citizen_name,
    group_title,
)
from bot.templates import TEXTS

REPO = Path(__file__).resolve().parent.parent
STEP_TIMEOUT = 30.0
GROUP_BASE = -1005000000000
TOKEN = "424242:BENCH"


def _has(text: str) -> Callable[[SentMessage], bool]:
    return lambda m: text in (m.plain or "")


def _last_with(user: User, label: str) -> SentMessage:
    for m in reversed(user.sent()):
        if any(label in t for t in m.button_texts):
            return m
    raise LookupError(f"no message with a {label} button")


Step = tuple[str, Callable[[User], Awaitable[Any]], Callable[[SentMessage], bool]]

def _press(key: str) -> Callable[[User], Awaitable[Any]]:
    """Press the bot's button labelled as bot/templates.py says."""
    label = str(TEXTS[key])
    return lambda u: u.press(_last_with(u, label), text=label)


FILING: list[Step] = [
    ("start", lambda u: u.send("/start"), _has(ANSWERED["start"])),
    ("complain", _press("btn.file"), _has(ANSWERED["complain"])),
    ("describe", lambda u: u.send(COMPLAINT), _has(ANSWERED["describe"])),
    ("done", _press("btn.done"), _has(ANSWERED["done"])),
    ("skip", _press("btn.skip"), _has(ANSWERED["skip"])),
    ("anonymous", lambda u: u.tap(str(TEXTS["btn.anonymous"])), _has(ANSWERED["anonymous"])),
    ("confirm", _press("btn.submit"), _has(ANSWERED["confirm"])),
]

ECHO: list[Step] = [
    ("start", lambda u: u.send("/start"), _has("/start")),
    ("complain", lambda u: u.press(_last_with(u, "ok"), text="ok"), _has("pressed")),
    ("describe", lambda u: u.send(COMPLAINT), _has(ECHOED_COMPLAINT)),
    ("done", lambda u: u.press(_last_with(u, "ok"), text="ok"), _has("pressed")),
    ("skip", lambda u: u.press(_last_with(u, "ok"), text="ok"), _has("pressed")),
    ("anonymous", lambda u: u.send(str(TEXTS["btn.anonymous"])), _has(ECHOED_ANONYMOUS)),
    ("confirm", lambda u: u.press(_last_with(u, "ok"), text="ok"), _has("pressed")),
]


# ---- measuring a child process ----------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    return cpu_seconds_of(Path(f"/proc/{pid}/stat"))


def cpu_seconds_of(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    s = sorted(values)
    pick = lambda q: s[min(len(s) - 1, int(q * len(s)))]  # noqa: E731
    return {"p50": round(pick(0.50) * 1000, 1), "p95": round(pick(0.95) * 1000, 1),
            "p99": round(pick(0.99) * 1000, 1)}


@dataclass
class Load:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unanswered: int = 0
    updates: int = 0


async def citizen(user: User, steps: list[Step], load: Load) -> None:
    for name, act, expect in steps:
        t = time.perf_counter()
        try:
            await act(user)
            load.updates += 1
            await user.wait_for(expect, timeout=STEP_TIMEOUT)
        except (TimeoutError, LookupError, ValueError):
            load.unanswered += 1
            return
        load.latencies.setdefault(name, []).append(time.perf_counter() - t)


# ---- one bot under load -----------------------------------------------------------------------

def bench_config(source: Path, directory: Path) -> Path:
    """The source tree's config.toml with a group chat for every department."""
    text = (source / "config.toml").read_text(encoding="utf-8")
    n = iter(range(1000))
    text = re.sub(r"^(\[departments\.\w+\]\n)",
                  lambda m: f"{m.group(1)}chat_id = {GROUP_BASE - next(n)}\n", text, flags=re.M)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def run_one(kind: str, framework: str, url: str, users: int, source: Path,
                  directory: Path, rate_limits: bool = False) -> dict[str, Any]:
    emu = await BotApiEmulator(token=TOKEN).start()
    for i in range(20):
        emu.group(GROUP_BASE - i, group_title(i))
    env = {**os.environ, "ZHIYONG_TELEGRAM_TOKEN": TOKEN, "ZHIYONG_TELEGRAM__API_URL": emu.api_url,
           "ZHIYONG_TELEGRAM__FRAMEWORK": framework, "ZHIYONG_STORAGE__URL": url,
           "ZHIYONG_TELEGRAM__POLL_TIMEOUT": "10", "PYTHONPATH": str(source),
           # no /metrics listener: a fixed port another bot on the machine may hold already
           "ZHIYONG_MONITORING__ENABLED": "false",
           "ZHIYONG_SCHEDULER__RATE_LIMITS": str(rate_limits).lower()}
    if kind == "zhiyong":
        args = ["-m", "bot", "--config", str(bench_config(source, directory)), "run"]
        if os.environ.get("ZHIYONG_BENCH_PROFILE"):   # where the bot's cProfile output goes
            args = ["-m", "cProfile", "-o", os.environ["ZHIYONG_BENCH_PROFILE"], *args]

    else:
        env["PYTHONPATH"] = str(REPO)
        args = ["-m", "bot.bench_intake", framework, emu.api_url, TOKEN]
    log_path = directory / f"{kind}-{framework}.log"
    with log_path.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(sys.executable, *args, cwd=directory,
                                                    env=env, stdout=log_file, stderr=log_file)
        try:
            result = await _load(emu, proc, FILING if kind == "zhiyong" else ECHO, users)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
            await emu.stop()
    log = log_path.read_text(encoding="utf-8", errors="replace")
    result.update(bot=kind, framework=framework, db=url.split(":", 1)[0],
                  locked=log.count("database is locked"), tracebacks=log.count("Traceback"))
    return result


async def _load(emu: BotApiEmulator, proc: asyncio.subprocess.Process, steps: list[Step],
                users: int) -> dict[str, Any]:
    pid = proc.pid
    warm = emu.user(1, WARM_UP_NAME)
    await citizen(warm, steps[:1], Load())             # the bot is up, the model loaded
    while not warm.sent():                              # …and has answered it
        if proc.returncode is not None:
            raise RuntimeError(f"the bot exited ({proc.returncode}) before answering; see its log")
        await asyncio.sleep(0.2)
    people = [emu.user(100_000 + i, citizen_name(i), username=f"c{i}") for i in range(users)]
    load = Load()
    cpu0, t0 = cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(citizen(u, steps, load) for u in people))
    seconds = time.perf_counter() - t0
    cpu = cpu_seconds(pid) - cpu0
    return {"users": users, "updates": load.updates, "seconds": round(seconds, 2),
            "updates_per_s": round(load.updates / seconds, 1),
            "cpu_ms_per_update": round(cpu * 1000 / max(1, load.updates), 2),
            "peak_rss_mb": round(peak_rss_mb(pid), 1), "unanswered": load.unanswered,
            "latency_ms": {name: percentiles(v) for name, v in load.latencies.items()}}


async def run_bench(framework: str, db: str | None, users: int, source: Path,
                    rate_limits: bool = False) -> list[dict]:
    from bot.bench_sweep import scratch_database
    from storage.db import is_sqlite

    results = []
    with tempfile.TemporaryDirectory(prefix="zy-intake-") as tmp:
        for kind in ("echo", "zhiyong"):
            directory = Path(tmp) / kind
            directory.mkdir()
            async with scratch_database(None if kind == "echo" else db, directory) as url:
                line = await run_one(kind, framework, url, users, source, directory,
                                     rate_limits)
            if kind == "zhiyong" and db is not None:
                line["db"] = "sqlite" if is_sqlite(db) else "postgresql"
            if kind == "zhiyong":
                line["rate_limits"] = rate_limits
            print(json.dumps(line, ensure_ascii=False), flush=True)
            results.append(line)
    echo, real = results
    ratio = {"framework": framework, "db": real["db"], "users": users,
             "ratio": round(real["updates_per_s"] / max(echo["updates_per_s"], 1e-9), 3)}
    print(json.dumps(ratio), flush=True)
    return [*results, ratio]


def bench_intake(framework: str, db: str | None, users: int, source: str | None = None,
                 rate_limits: bool = False) -> None:
    asyncio.run(run_bench(framework, db, users, Path(source) if source else REPO, rate_limits))


# ---- the bare echo bots -----------------------------------------------------------------------

def echo_ptb(api: str, token: str) -> None:
    """python-telegram-bot's echo example, plus a button so presses can be measured."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    ok = InlineKeyboardMarkup([[InlineKeyboardButton("ok", callback_data="ok")]])

    async def echo(update: Update, _: Any) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(update.effective_message.text or "?",
                                                  reply_markup=ok)

    async def press(update: Update, _: Any) -> None:
        assert update.callback_query is not None and update.effective_chat is not None
        await update.callback_query.answer()
        await update.effective_chat.send_message("pressed", reply_markup=ok)

    application = (ApplicationBuilder().token(token).base_url(f"{api}/bot")
                   .base_file_url(f"{api}/file/bot").build())
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(press))
    application.run_polling(poll_interval=0, timeout=10)


def echo_aiogram(api: str, token: str) -> None:
    """aiogram's echo example, plus a button so presses can be measured."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

    ok = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="ok",
                                                                     callback_data="ok")]])
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?", reply_markup=ok)

    @dp.callback_query()
    async def press(query: CallbackQuery) -> None:
        await query.answer()
        assert query.message is not None
        await query.message.answer("pressed", reply_markup=ok)

    async def main() -> None:
        bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api)))
        await dp.start_polling(bot, polling_timeout=10)

    asyncio.run(main())


if __name__ == "__main__":   # python -m bot.bench_intake ptb|aiogram API_URL TOKEN
    framework_, api_, token_ = sys.argv[1:4]
    (echo_ptb if framework_ == "ptb" else echo_aiogram)(api_, token_)
