"""`zhiyong -v run` as an operator runs it: a real process at DEBUG polling the emulator, its
log free of the token and the webhook secret, one line per ticket event, and /healthz and
/metrics answering over real HTTP on `[monitoring] listen`."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.emulator import BotApiEmulator
from tests.e2e.test_citizen_flow import COMPLAINT, finish_filing, number_of, start_filing

REPO = Path(__file__).resolve().parents[2]
TOKEN = "999002:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "wh-secret-7Qm2xZ9kLp"
METRICS = ("zhiyong_updates_total", "zhiyong_handler_seconds_bucket",
           "zhiyong_outbox_rows", "zhiyong_outbox_oldest_pending_seconds",
           "zhiyong_telegram_errors_total", "zhiyong_sweep_seconds_count",
           "zhiyong_sweep_actions_total", "zhiyong_tickets", "zhiyong_tickets_overdue",
           "zhiyong_database_up 1.0")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def get(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        return resp.status, await resp.text()


async def until_listening(port: int, timeout: float = 30.0) -> None:
    """The monitoring listener opens once the bot is about to poll (model loaded)."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                await get(f"http://127.0.0.1:{port}/healthz")
                return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.2)


@pytest.mark.parametrize("framework,fmt", [("ptb", "text"), ("aiogram", "json")])
async def test_debug_run_hides_secrets_logs_events_and_serves_metrics(
        framework: str, fmt: str, tmp_path: Path) -> None:
    emu = await BotApiEmulator(token=TOKEN).start()
    port = free_port()
    env = {**os.environ, "ZHIYONG_TELEGRAM_TOKEN": TOKEN, "ZHIYONG_WEBHOOK_SECRET": SECRET,
           "ZHIYONG_TELEGRAM__API_URL": emu.api_url, "ZHIYONG_TELEGRAM__POLL_TIMEOUT": "1",
           "ZHIYONG_TELEGRAM__FRAMEWORK": framework, "ZHIYONG_LOGGING__FORMAT": fmt,
           "ZHIYONG_MONITORING__LISTEN": f"127.0.0.1:{port}",
           "ZHIYONG_SCHEDULER__SWEEP_SECONDS": "1",
           "ZHIYONG_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}"}
    env.pop("ZHIYONG_NLP__MODEL_DIR", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "-v", "--config", str(REPO / "config.toml"), "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await until_listening(port)
        user = emu.user(7770002, "钱七", username="qianqi_citizen")
        await start_filing(user)
        await user.send(COMPLAINT)
        await user.wait_for(lambda m: "已记下" in (m.plain or ""))
        number = number_of(await finish_filing(user))
        health, body = await get(f"http://127.0.0.1:{port}/healthz")
        scraped, text = await get(f"http://127.0.0.1:{port}/metrics")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
        await emu.stop()
    log = err.decode()
    assert proc.returncode == 0, log[-3000:]
    assert TOKEN not in log and TOKEN.split(":")[1] not in log and SECRET not in log
    if framework == "ptb":               # httpx logged the Bot API URL, token redacted
        assert "[REDACTED]/getUpdates" in log
    assert health == 200 and json.loads(body)["database"] == "up", body
    assert scraped == 200 and all(name in text for name in METRICS), text
    assert 'zhiyong_updates_total{kind="command"}' in text
    assert 'zhiyong_telegram_errors_total{code="429"} 0.0' in text
    tickets = [float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("zhiyong_tickets{")]
    assert len(tickets) == 6 and sum(tickets) == 1.0, text   # the one complaint filed
    events = event_lines(log, fmt, number)
    assert [e["event"] for e in events][:2] == ["filed", "routed"], events
    for line in events:                  # never who complained
        assert all(s not in str(line) for s in ("钱七", "qianqi", "7770002")), line


def event_lines(log: str, fmt: str, number: str) -> list[dict[str, str]]:
    """The ticket event lines of `number`, as dicts, from either format."""
    found = []
    for line in log.splitlines():
        if "zhiyong.events" not in line or number not in line:
            continue
        if fmt == "json":
            record = json.loads(line)
            assert record["time"][-6] in "+-", record   # the zone is in the timestamp
            found.append({k: record[k] for k in ("ticket", "event", "department", "message")})
        else:
            stamp, _, rest = line.partition(" ")
            assert stamp[-6] in "+-", line
            words = rest.split(": ", 1)[1].split()   # ticket ZY-… filed department=…
            found.append({"ticket": words[1], "event": words[2], "line": line})
    return found
