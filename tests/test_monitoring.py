"""/healthz and /metrics over real HTTP (database up and down), the health rules with an
injected clock, the error codes, and what the log redacts and how it stamps time."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.methods import SendMessage
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

import bot.ptb  # noqa: F401  (PTB_TIMEDELTA, as the adapter runs it)
from bot import logs
from bot.app import App, build_app
from bot.config import load_settings
from bot.emulator import BotApiEmulator
from bot.monitoring import metrics
from bot.monitoring.health import HealthCheck
from bot.monitoring.server import MonitoringServer
from bot.monitoring.service import Monitoring
from bot.operator_errors import ListenFailed, TelegramUnreachable, TokenRejected
from bot.preflight import wait_for_telegram
from storage.ops_figures import OpsQuery
from storage.uow import Database

REPO = Path(__file__).resolve().parent.parent


async def get(port: int, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as s, s.get(f"http://127.0.0.1:{port}{path}") as r:
        return r.status, await r.text()


@pytest.fixture
async def app_with_db_down() -> AsyncIterator[App]:
    settings = load_settings(REPO / "config.toml",
                             storage={"url": "postgresql://postgres@127.0.0.1:9/zhiyong"})
    app = build_app(settings)
    yield app
    await app.close()


async def test_metrics_answer_with_the_database_down(app_with_db_down: App) -> None:
    async with MonitoringServer(Monitoring(app_with_db_down, db_timeout=2), "127.0.0.1:0") as srv:
        status, text = await get(srv.port, "/metrics")
        health, body = await get(srv.port, "/healthz")
    assert status == 200 and "zhiyong_database_up 0.0" in text
    assert "zhiyong_tickets_overdue NaN" in text and 'zhiyong_tickets{' not in text
    assert "zhiyong_updates_total" in text and "process_resident_memory_bytes" in text
    report = json.loads(body)
    assert health == 503 and report["status"] == "fail" and report["database"] == "down"
    assert "127.0.0.1" in report["database_error"] or "refused" in report["database_error"]


async def test_metrics_read_the_database(app: App) -> None:
    async with MonitoringServer(Monitoring(app), "127.0.0.1:0") as srv:
        status, text = await get(srv.port, "/metrics")
        health, body = await get(srv.port, "/healthz")
    assert status == 200 and "zhiyong_database_up 1.0" in text
    assert health == 200 and json.loads(body)["database"] == "up"   # no scheduler: no sweep


async def test_ops_figures_count_overdue_tickets(database: Database) -> None:
    later = await OpsQuery(database.engine).figures(datetime(2100, 1, 1, tzinfo=UTC))
    now = await OpsQuery(database.engine).figures(datetime(2000, 1, 1, tzinfo=UTC))
    open_ = sum(n for s, n in later.tickets_by_state.items()
                if s in ("routed", "signed", "triage", "reopened"))
    assert now.overdue == 0 and later.overdue <= open_
    assert now.oldest_pending_seconds == 0.0 and later.oldest_pending_seconds >= 0.0


def test_health_wants_a_recent_sweep() -> None:
    clock = [1000.0]
    last: list[float | None] = [None]

    async def ping() -> None:
        return None

    check = HealthCheck(ping, 60, lambda: last[0], now=lambda: clock[0])
    assert check.sweep() == (True, None)          # just started: within the grace
    clock[0] += 121
    assert check.sweep() == (False, None)         # never swept in twice the interval
    last[0] = clock[0] - 30
    assert check.sweep() == (True, 30.0)
    clock[0] += 100
    assert check.sweep() == (False, 130.0)
    assert HealthCheck(ping, None, lambda: None).sweep() == (True, None)


def test_telegram_errors_are_counted_by_code() -> None:
    method = SendMessage(chat_id=1, text="x")
    cases = {RetryAfter(3): "429", Forbidden("blocked"): "403", BadRequest("chat not found"): "400",
             TimedOut(): "timeout", NetworkError("reset"): "network",
             TelegramRetryAfter(method, "flood", 3): "429",
             TelegramBadRequest(method, "bad"): "400",
             TelegramServerError(method, "bad gateway"): "5xx", ValueError(): "other"}
    for exc, code in cases.items():
        assert metrics.error_code(exc) == code, exc
    before = metrics.TELEGRAM_ERRORS.labels("429")._value.get()
    metrics.telegram_error(RetryAfter(1))
    assert metrics.TELEGRAM_ERRORS.labels("429")._value.get() == before + 1


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_log_lines_redact_secrets_from_library_loggers(fmt: str) -> None:
    token, secret = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "wh-secret-7Qm2xZ9kLp"
    out = io.StringIO()
    logs.configure("DEBUG", fmt, ZoneInfo("Asia/Shanghai"), secrets=[token, secret], stream=out)
    try:
        logging.getLogger("httpx").info('HTTP Request: POST https://api.telegram.org/bot%s/'
                                        'getMe "HTTP/1.1 200 OK"', token)
        logging.getLogger("telegram.ext").debug("secret header %s", secret)
        logging.getLogger("aiohttp.client").debug("encoded %s", "123456%3AAAHdqTcvCH1vGWJxfSeof"
                                                  "SAs0K5PALDsaw")
        try:
            raise RuntimeError(f"failed with {token}")
        except RuntimeError:
            logging.getLogger("zhiyong").exception("boom")
    finally:
        logs.configure("INFO")
    text = out.getvalue()
    assert token not in text and secret not in text and "AAHdqTcv" not in text
    assert text.count(logs.REDACTED) >= 4
    first = text.splitlines()[0]
    stamp = json.loads(first)["time"] if fmt == "json" else first.split(" ")[0]
    assert stamp.endswith("+08:00"), stamp


async def test_preflight_refused_token_is_not_retried() -> None:
    emu = await BotApiEmulator(token="999004:RIGHT").start()
    try:
        await wait_for_telegram(emu.api_url, "999004:RIGHT", budget=1)
        with pytest.raises(TokenRejected, match="HTTP 401"):
            await wait_for_telegram(emu.api_url, "999004:WRONG", budget=30)
    finally:
        await emu.stop()


async def test_preflight_backs_off_then_gives_up() -> None:
    answers = iter([502, 429, 200])
    slept: list[float] = []
    now = [0.0]

    async def probe(api: str, token: str) -> int:
        return next(answers)

    async def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    await wait_for_telegram("http://x", "1:a", 60, probe=probe, sleep=sleep, clock=lambda: now[0])
    assert slept == [1.0, 2.0]

    async def down(api: str, token: str) -> int:
        raise aiohttp.ClientConnectionError("no route to host")

    slept.clear()
    with pytest.raises(TelegramUnreachable, match="no route to host"):
        await wait_for_telegram("http://x", "1:a", 20, probe=down, sleep=sleep,
                                clock=lambda: now[0])
    assert slept == [1.0, 2.0, 4.0, 8.0]


async def test_a_taken_monitoring_port_is_one_operator_line(app_with_db_down: App) -> None:
    first = await MonitoringServer(Monitoring(app_with_db_down), "127.0.0.1:0").start()
    try:
        with pytest.raises(ListenFailed, match=r"cannot listen on 127\.0\.0\.1:\d+ .*"
                                               r"\[monitoring\] listen"):
            await MonitoringServer(Monitoring(app_with_db_down),
                                   f"127.0.0.1:{first.port}").start()
    finally:
        await first.stop()
