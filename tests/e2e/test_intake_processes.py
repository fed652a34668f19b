"""Real `zhiyong run` processes killed with SIGKILL right after fetching, mid-handling and between
commit and reply, on both frameworks and both databases, and two webhook processes behind one
address on PostgreSQL: every update takes effect exactly once, every reply arrives once, and no
process logs a traceback."""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import signal
import sys
from collections.abc import AsyncIterator, Awaitable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from bot.emulator import BotApiEmulator, User
from storage.uow import Database
from tests.conftest import PG_ENV, _admin
from tests.e2e.test_citizen_flow import COMPLAINT, number_of
from tests.e2e.test_intake import FLOOD_LIMIT
from tests.e2e.test_webhook import free_port

REPO = Path(__file__).resolve().parents[2]
SECRET = "two-processes_one-address"


class BotProcess:
    """`python -m bot run` of this checkout, its log in a file."""

    def __init__(self, emu: BotApiEmulator, url: str, framework: str, log: Path,
                 *args: str, env: dict[str, str] | None = None) -> None:
        self.emu, self.url, self.framework, self.log_path = emu, url, framework, log
        self.args, self.extra_env = args, env or {}
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> BotProcess:
        env = {**os.environ, "ZHIYONG_TELEGRAM_TOKEN": self.emu.token,
               "ZHIYONG_TELEGRAM__API_URL": self.emu.api_url,
               "ZHIYONG_TELEGRAM__POLL_TIMEOUT": "1",
               "ZHIYONG_TELEGRAM__FRAMEWORK": self.framework, "ZHIYONG_STORAGE__URL": self.url,
               "ZHIYONG_SCHEDULER__ENABLED": "false", "PYTHONPATH": str(REPO),
               **self.extra_env}
        with self.log_path.open("ab") as log:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "--config", str(REPO / "config.toml"), "run",
                *self.args, cwd=self.log_path.parent, env=env, stdout=log, stderr=log)
        return self

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@pytest.fixture
async def own_db(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own: the session bot's outbox sender must not meet these rows."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.db'}"
        return
    url = make_url(os.environ[PG_ENV])
    name = f"zy_proc_{os.getpid()}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    await _admin(admin, f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    await _admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def said(user: User, text: str) -> int:
    return len([m for m in user.sent() if text in (m.plain or "")])


async def ticket_text(url: str, number: str) -> str:
    db = Database(url)
    try:
        async with db.uow() as uow:
            t = await uow.tickets.by_number(number)
    finally:
        await db.dispose()
    assert t is not None
    return t.text


async def kill_while_replying(emu: BotApiEmulator, proc: BotProcess, citizen: User,
                              action: Awaitable[object]) -> None:
    """The update commits, then its reply hangs in the emulator (never delivered) and the
    process is killed: the moment between commit and reply."""
    hang = emu.fail("sendMessage", "timeout", hold=30, chat_id=citizen.id)
    await action
    for _ in range(400):
        if hang.hits:
            break
        await asyncio.sleep(0.05)
    assert hang.hits == 1, "the reply was requested"
    proc.kill9()
    await proc.proc.wait()  # type: ignore[union-attr]
    hang.cancel()


async def test_kill9_each_update_once_each_reply_once_ptb(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_after_fetch_mid_handling_and_before_the_reply("ptb", own_db, tmp_path)


async def test_kill9_each_update_once_each_reply_once_aiogram(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_after_fetch_mid_handling_and_before_the_reply("aiogram", own_db, tmp_path)


async def kill9_after_fetch_mid_handling_and_before_the_reply(
        framework: str, own_db: str, tmp_path: Path) -> None:
    emu = await BotApiEmulator(token="313000:KILL").start()
    citizen = emu.user(3130001, "孙九")
    logs = [tmp_path / f"run{i}.log" for i in range(4)]
    procs = [await BotProcess(emu, own_db, framework, logs[0]).start()]

    async def restart() -> None:
        procs.append(await BotProcess(emu, own_db, framework, logs[len(procs)]).start())

    try:
        await citizen.send("/start")
        welcome = await citizen.wait_for(lambda m: "隐私" in (m.plain or ""), timeout=60)
        await citizen.press(welcome, text="我要投诉")
        await citizen.wait_for(lambda m: "请描述" in (m.plain or ""), timeout=10)

        # 1. killed the moment the description was fetched: it was never handled
        def kill_on_description(batch: list[dict[str, Any]]) -> None:
            if any(u.get("message", {}).get("text") == COMPLAINT for u in batch):
                emu.fetch_listeners.clear()
                procs[0].kill9()
        emu.fetch_listeners.append(kill_on_description)
        await citizen.send(COMPLAINT)
        assert await procs[0].proc.wait() == -signal.SIGKILL  # type: ignore[union-attr]
        await restart()
        await citizen.wait_for(lambda m: "已记下" in (m.plain or ""), timeout=60)

        # 2. 完成 committed, killed while its reply (the next step's prompt) was on the way
        await kill_while_replying(emu, procs[1], citizen,
                                  citizen.press(citizen.sent()[-1], text="完成"))
        await restart()
        await citizen.wait_for(lambda m: "被投诉的单位或人员是" in (m.plain or ""), timeout=60)
        await citizen.send("3号窗口")               # …so this is the accused, not a description
        await citizen.wait_for(lambda m: "实名还是匿名" in (m.plain or ""), timeout=60)
        await citizen.tap("🙈 匿名提交")
        summary = await citizen.wait_for(lambda m: "请核对" in (m.plain or ""), timeout=10)

        # 3. the ticket committed, killed while the ticket number was on the way
        await kill_while_replying(emu, procs[2], citizen,
                                  citizen.press(summary, text="确认提交"))
        await restart()
        done = await citizen.wait_for(lambda m: "投诉编号" in (m.plain or ""), timeout=60)
        await asyncio.sleep(1.0)                   # nothing more arrives (no second copy)
    finally:
        for p in procs:
            await p.stop()
        await emu.stop()
    assert said(citizen, "已记下") == 1, "the description took effect once"
    assert said(citizen, "被投诉的单位或人员是") == 1, "the prompt after 完成 arrived once, after the restart"
    assert said(citizen, "投诉编号") == 1, "the ticket number arrived once, after the restart"
    assert await ticket_text(own_db, number_of(done)) == COMPLAINT
    for log in logs:
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()[-3000:]


async def inbox_figures(url: str) -> tuple[int, int]:
    """(updates kept in the inbox, of which not yet handled)."""
    db = Database(url)
    try:
        async with db.engine.connect() as c:
            kept = (await c.execute(text("SELECT count(*) FROM update_inbox"))).scalar_one()
            unhandled = (await c.execute(text(
                "SELECT count(*) FROM update_inbox i WHERE NOT EXISTS (SELECT 1 FROM "
                "processed_update p WHERE p.update_id = i.update_id)"))).scalar_one()
    except DBAPIError:   # not migrated yet
        return 0, 0
    finally:
        await db.dispose()
    return int(kept), int(unhandled)


async def handled_updates(url: str) -> list[int]:
    db = Database(url)
    try:
        async with db.engine.connect() as c:
            rows = await c.execute(text("SELECT update_id FROM processed_update ORDER BY 1"))
            return [int(r[0]) for r in rows]
    finally:
        await db.dispose()


async def test_kill9_with_a_kept_backlog_each_update_once_ptb(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_with_a_kept_backlog("ptb", own_db, tmp_path)


async def test_kill9_with_a_kept_backlog_each_update_once_aiogram(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_with_a_kept_backlog("aiogram", own_db, tmp_path)


async def test_kill9_with_a_kept_backlog_restarted_as_webhook_ptb(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_with_a_kept_backlog("ptb", own_db, tmp_path, webhook=True)


async def test_kill9_with_a_kept_backlog_restarted_as_webhook_aiogram(
        backend: str, own_db: str, tmp_path: Path) -> None:
    await kill9_with_a_kept_backlog("aiogram", own_db, tmp_path, webhook=True)


def webhook_args(port: int) -> tuple[str, ...]:
    return ("--webhook", "--listen", f"127.0.0.1:{port}", "--url", f"http://127.0.0.1:{port}/tg")


async def kill9_with_a_kept_backlog(framework: str, own_db: str, tmp_path: Path,
                                    webhook: bool = False) -> None:
    """A flood of 200 beside 5 other citizens, killed while part of it is kept in the inbox
    (confirmed to Telegram, not yet handled) and every reply is held by Telegram (so none is
    mid-send at the kill): after the restart (polling, or `webhook` mode) every update is
    handled, the flood limit counted each once (29 answers, one notice), each other citizen
    answered once, the inbox empty."""
    emu = await BotApiEmulator(token="515000:INBOX").start()
    flooder, others = emu.user(5150000, "刷屏"), [emu.user(5150001 + i, f"市民{i}") for i in range(5)]
    fast = {"ZHIYONG_SCHEDULER__PER_CHAT_PER_SECOND": "1000",   # not the limit under test here
            "ZHIYONG_TELEGRAM__REFETCH_LAG": "0"}   # every batch kept at once: a backlog for sure
    procs = [await BotProcess(emu, own_db, framework, tmp_path / "run0.log", env=fast).start()]
    killed = False
    try:
        await flooder.send("/start")
        await flooder.wait_for(lambda m: "隐私" in (m.plain or ""), timeout=60)
        held = emu.fail("sendMessage", "timeout", until=lambda: killed, hold=60)
        flooding = [True]   # getUpdates answers 502 meanwhile: the flood comes as whole batches
        emu.fail("getUpdates", 502, until=lambda: not flooding[0])
        for _ in range(200):
            await flooder.send("/help")
        for u in others:
            await u.send("/help")
        flooding[0] = False
        for _ in range(1000):
            if (await inbox_figures(own_db))[1] > 0 and held.hits:
                break
            await asyncio.sleep(0.01)
        procs[0].kill9()
        await procs[0].proc.wait()  # type: ignore[union-attr]
        killed = True
        kept, unhandled = await inbox_figures(own_db)
        print(f"\nkilled with {kept} updates in the inbox, {unhandled} of them unhandled")
        assert unhandled > 0, "killed with a kept backlog"
        args = webhook_args(free_port()) if webhook else ()
        procs.append(await BotProcess(emu, own_db, framework, tmp_path / "run1.log", *args,
                                      env={**fast, "ZHIYONG_WEBHOOK_SECRET": SECRET}).start())
        for _ in range(1200):                      # the rest of the flood is answered by silence
            if said(flooder, "发送得太快") and all(said(u, "使用说明") for u in others) \
                    and await handled_updates(own_db) == sorted(
                        u["update_id"] for u in emu.updates) \
                    and await inbox_figures(own_db) == (0, 0):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)                   # nothing more arrives (no second copy)
    finally:
        killed = True
        for p in procs:
            await p.stop()
        await emu.stop()
    assert await handled_updates(own_db) == sorted(u["update_id"] for u in emu.updates)
    assert said(flooder, "使用说明") == FLOOD_LIMIT - 1, "answered up to the limit, once each"
    assert said(flooder, "发送得太快") == 1, "then one notice: no update was counted twice"
    assert [said(u, "使用说明") for u in others] == [1] * 5, "each other citizen answered once"
    assert "kept in the inbox" in procs[1].log, "the restart resumed the kept backlog"
    assert await inbox_figures(own_db) == (0, 0), "handled updates leave the inbox"
    for p in procs:
        assert "Traceback" not in p.log, p.log[-3000:]


class RoundRobin:
    """A tiny reverse proxy: each request to the next backend in turn (Telegram → LB → bots)."""

    def __init__(self, backends: list[str]) -> None:
        self._next = itertools.cycle(backends)
        self._runner: web.AppRunner | None = None
        self.port = free_port()
        self.served: dict[str, int] = dict.fromkeys(backends, 0)

    async def start(self) -> None:
        self._session = aiohttp.ClientSession()
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_post("/tg", self.forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def forward(self, request: web.Request) -> web.Response:
        backend = next(self._next)
        headers = {k: v for k, v in request.headers.items()
                   if k.lower().startswith("x-telegram")}
        try:
            async with self._session.post(backend, data=await request.read(), headers={
                    **headers, "Content-Type": "application/json"}) as r:
                self.served[backend] += 1
                return web.Response(status=r.status, body=await r.read())
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def stop(self) -> None:
        await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()


@pytest.mark.backends("postgresql")
async def test_two_webhook_processes_behind_one_address_each_update_once(
        backend: str, own_db: str, tmp_path: Path) -> None:
    emu = await BotApiEmulator(token="414000:PAIR").start()
    ports = [free_port(), free_port()]
    proxy = RoundRobin([f"http://127.0.0.1:{p}/tg" for p in ports])
    await proxy.start()
    public = f"http://127.0.0.1:{proxy.port}/tg"
    procs = []
    users = [emu.user(4140000 + i, f"市民{i}") for i in range(100)]
    try:
        for i, port in enumerate(ports):      # one after the other: migrations run once
            procs.append(await BotProcess(
                emu, own_db, "ptb", tmp_path / f"hook{i}.log",
                "--webhook", "--listen", f"127.0.0.1:{port}", "--url", public,
                env={"ZHIYONG_WEBHOOK_SECRET": SECRET,   # the limits: test_limits_processes
                     "ZHIYONG_SCHEDULER__RATE_LIMITS": "false"}).start())
            for _ in range(600):
                if emu.webhook is not None and f":{port}" in procs[-1].log:
                    break
                await asyncio.sleep(0.1)
        for _ in range(10):
            for u in users:
                await u.send("/help")
        for _ in range(1200):
            if all(said(u, "使用说明") >= 10 for u in users) and emu.queue.pending == 0:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        for p in procs:
            await p.stop()
        await proxy.stop()
        await emu.stop()
    assert [said(u, "使用说明") for u in users] == [10] * 100, "each of 1,000 updates once"
    assert all(n > 100 for n in proxy.served.values()), proxy.served
    for p in procs:
        assert "Traceback" not in p.log, p.log[-3000:]
