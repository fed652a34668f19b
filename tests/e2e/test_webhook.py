"""Webhook mode end to end: the emulator POSTs updates to the real bot (both frameworks);
the listener refuses what lacks the secret (401), what is not JSON (400), what is over 1 MB
(413), and answers an update only after it is committed."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.aio.runner import AiogramBot
from bot.app import App, build_app
from bot.config import Settings, StorageConfig, TelegramConfig
from bot.emulator import BotApiEmulator
from bot.ptb.runner import PtbBot
from bot.webhook import SECRET_ENV, SECRET_HEADER
from tests.e2e.test_citizen_flow import COMPLAINT
from workflow.deadlines.clock import FakeClock

SECRET = "s3cret_WEBHOOK-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def webhook_settings(settings: Settings, emu: BotApiEmulator, db_url: str, port: int,
                     framework: str) -> Settings:
    s = settings.model_copy(deep=True)
    s.telegram = TelegramConfig(api_url=emu.api_url, framework=framework, mode="webhook",
                                listen=f"127.0.0.1:{port}", url=f"http://127.0.0.1:{port}/tg")
    s.storage = StorageConfig(url=db_url)
    return s


@pytest.fixture(params=["ptb", "aiogram"])
async def hooked(request: pytest.FixtureRequest, settings: Settings, start_time: Any,
                 tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> AsyncIterator[tuple[BotApiEmulator, App, str]]:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    emu = await BotApiEmulator(token="555000:HOOK").start()
    port = free_port()
    s = webhook_settings(settings, emu, f"sqlite:///{tmp_path / 'hook.db'}", port,
                         request.param)
    app = build_app(s, clock=FakeClock(start_time))
    await app.prepare()
    bot = (PtbBot if request.param == "ptb" else AiogramBot)(app, emu.token)
    await bot.start()
    yield emu, app, s.telegram.url
    await bot.stop()
    await app.close()
    await emu.stop()


async def test_filing_over_the_webhook(hooked: tuple[BotApiEmulator, App, str]) -> None:
    emu, _, url = hooked
    assert emu.webhook is not None and emu.webhook.secret == SECRET and emu.webhook_url == url
    citizen = emu.user(5550001, "周七")
    await citizen.send("/start")
    welcome = await citizen.wait_for(lambda m: "隐私" in (m.plain or ""))
    await citizen.press(welcome, text="我要投诉")
    await citizen.wait_for(lambda m: "请描述" in (m.plain or ""))
    await citizen.send(COMPLAINT)
    await citizen.wait_for(lambda m: "已记下" in (m.plain or ""))
    for _ in range(100):      # the reply goes out before the HTTP answer that confirms it
        if emu.queue.pending == 0:
            break
        await _tick()
    assert emu.queue.pending == 0, "every update answered 2xx and confirmed"
    assert {a.status for a in emu.webhook.attempts} == {200}


async def test_listener_refuses_what_is_not_a_telegram_update(
        hooked: tuple[BotApiEmulator, App, str], caplog: pytest.LogCaptureFixture) -> None:
    emu, _, url = hooked
    good = {SECRET_HEADER: SECRET}
    update = {"update_id": 99, "message": {"message_id": 1, "date": 0, "text": "hi",
                                           "chat": {"id": 5550002, "type": "private",
                                                    "first_name": "x"}}}
    caplog.set_level(logging.WARNING, logger="zhiyong.webhook")
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            async with http.post(url, json=update, headers=headers) as r:
                assert r.status == 401
        async with http.post(url, data=b"{not json", headers=good) as r:
            assert r.status == 400
        async with http.post(url, json=[1, 2], headers=good) as r:
            assert r.status == 400
        async with http.post(url, data=b"{" + b" " * (1024 * 1024 + 1) + b"}",
                             headers=good) as r:
            assert r.status == 413
    assert sum("refused" in r.getMessage() for r in caplog.records) == 2
    assert not emu.sent(5550002)


async def test_refused_delivery_is_retried_until_2xx_and_handled_once(
        hooked: tuple[BotApiEmulator, App, str]) -> None:
    """A webhook that was unreachable: Telegram retries; the update takes effect once."""
    emu, app, _ = hooked
    assert emu.webhook is not None
    right = emu.webhook.secret
    emu.webhook.secret = "outdated"                  # the bot refuses: 401, retried
    citizen = emu.user(5550003, "吴八")
    await citizen.send("/help")
    for _ in range(100):
        if len(emu.webhook.attempts) >= 2:
            break
        await _tick()
    assert {a.status for a in emu.webhook.attempts[-2:]} == {401}
    emu.webhook.secret = right
    await citizen.wait_for(lambda m: "使用说明" in (m.plain or ""))
    for _ in range(100):
        if emu.queue.pending == 0:
            break
        await _tick()
    ok = [a for a in emu.webhook.attempts if a.status == 200]
    assert len(ok) == 1
    assert len([m for m in citizen.sent() if "使用说明" in (m.plain or "")]) == 1


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.05)
