"""A bot process without Telegram, for the multi-process tests: sweep + outbox sender in a loop.

    python -m tests.workflow.sweep_worker DB_URL WORKER OUT_FILE SECONDS [SEND_DELAY [STALE]]

Runs at most SECONDS, and stops earlier once it has had work and then none for IDLE_EXIT.

Deliveries are appended to OUT_FILE, one line per message ("chat<TAB>key<TAB>number"),
flushed at once, so a process killed with SIGKILL leaves an exact record of what it sent.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

from bot.app import build_app
from bot.config import load_settings
from workflow.chat.messages import Outgoing
from workflow.deadlines.sweep import SweepPolicy, sweep
from workflow.outbox.sender import DeliveryPolicy, OutboxSender

REPO = Path(__file__).resolve().parents[2]
IDLE_EXIT = 1.5        # seconds without work, once there was some: the run is over


class FileTransport:
    def __init__(self, path: str, delay: float) -> None:
        self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (kept open for the run)
        self.delay = delay

    async def send(self, out: Outgoing) -> int | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        self.file.write(f"{out.chat_id}\t{out.key}\t{out.params.get('number', '')}\n")
        self.file.flush()
        return 1


async def main(url: str, worker: str, out: str, seconds: float, delay: float,
               stale: float) -> None:
    settings = load_settings(REPO / "config.toml", storage={"url": url})
    app = build_app(settings)
    sender = OutboxSender(app.ctx, FileTransport(out, delay), worker,
                          DeliveryPolicy(batch=10, stale_after=timedelta(seconds=stale)))
    end = time.monotonic() + seconds
    print("ready", flush=True)
    busy, idle_since = False, time.monotonic()
    while time.monotonic() < end:
        swept = await sweep(app.ctx, worker, SweepPolicy(batch=25))
        sent = await sender.run_once()
        if swept.claimed or sent:
            busy, idle_since = True, time.monotonic()
        elif busy and time.monotonic() - idle_since > IDLE_EXIT:
            break
        await asyncio.sleep(0.01)
    await app.close()


if __name__ == "__main__":
    url, worker, out, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    delay = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    stale = float(sys.argv[6]) if len(sys.argv) > 6 else 1.0   # a killed worker's claims
    asyncio.run(main(url, worker, out, seconds, delay, stale))
