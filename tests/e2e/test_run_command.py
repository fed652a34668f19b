"""`zhiyong run` as an operator starts it: a real process polling the emulator, both adapters."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiEmulator

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("framework", ["ptb", "aiogram"])
async def test_run_answers_start_and_stops_on_sigterm(framework: str, tmp_path: Path) -> None:
    emu = await BotApiEmulator(token="999000:RUN").start()
    env = {**os.environ, "ZHIYONG_TELEGRAM_TOKEN": emu.token,
           "ZHIYONG_TELEGRAM__API_URL": emu.api_url, "ZHIYONG_TELEGRAM__POLL_TIMEOUT": "1",
           "ZHIYONG_TELEGRAM__FRAMEWORK": framework,
           "ZHIYONG_STORAGE__URL": f"sqlite:///{tmp_path / 'run.db'}",
           "PYTHONPATH": str(REPO)}   # this checkout's code, not whichever copy is installed
    env.pop("ZHIYONG_NLP__MODEL_DIR", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(REPO / "config.toml"), "run",
        cwd=tmp_path, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        user = emu.user(7770001, "赵六")
        await user.send("/start")
        welcome = await user.wait_for(lambda m: "隐私" in (m.plain or ""), timeout=30)
        assert len(welcome.button_texts) == 3
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
        await emu.stop()
    assert proc.returncode == 0, stderr.decode()[-2000:]
    assert f"bot ({framework}) running" in stderr.decode()
