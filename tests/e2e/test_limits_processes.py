"""Telegram's limits across processes: two real `zhiyong run` processes on one PostgreSQL send a
burst of 300 notifications to one group and 200 to a hundred people. Together they never
exceed the group's 20 a "minute" (scaled to one second here, `group_window_seconds`) nor the
bot's 30 a second, and every chat gets its messages once, in order."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from sqlmodel import col, select

from bot.app import build_app
from bot.config import load_settings
from bot.emulator import BotApiEmulator
from storage.tables import OutboxRow
from storage.uow import Database
from tests.e2e.test_intake_processes import REPO, SECRET, BotProcess, own_db  # noqa: F401
from tests.e2e.test_webhook import free_port
from workflow.chat.messages import Outgoing
from workflow.outbox.queue import enqueue

GROUP, PEOPLE = -4150001, [4150100 + i for i in range(100)]
WINDOW = 1.0            # the group's "minute", scaled


async def seed(url: str) -> None:
    app = build_app(load_settings(REPO / "config.toml", storage={"url": url}))
    ctx = app.ctx
    async with ctx.uow() as uow:
        for i in range(300):
            await enqueue(ctx, uow, Outgoing(GROUP, "desk.note_posted", {
                "name": "测试", "number": f"N{i:03d}", "text": "催办"}), f"g:{i}", None, "test")
        for n in range(2):
            for person in PEOPLE:
                await enqueue(ctx, uow, Outgoing(person, "error.bad_date", {"text": f"P{n}"}),
                              f"p:{person}:{n}", None, "test")
        await uow.commit()
    await app.close()


async def sent_rows(url: str) -> list[OutboxRow]:
    db = Database(url)
    try:
        async with db.uow() as uow:
            rows = await uow.session.exec(select(OutboxRow).where(OutboxRow.status == "sent")
                                          .order_by(col(OutboxRow.claimed_at)))
            return [OutboxRow(**r.model_dump()) for r in rows]
    finally:
        await db.dispose()


def _key(chat: int, params: dict[str, object]) -> tuple[int, str]:
    """A message told apart by its marker: N### to the group, P0 / P1 to a person."""
    found = re.findall(r"N\d{3}|P\d", " ".join(str(v) for v in params.values()))
    return chat, found[0]


def most_in_any(times: list[float], span: float) -> int:
    """The largest number of times within any half-open window of `span` seconds."""
    times, best, start = sorted(times), 0, 0
    for end, t in enumerate(times):
        while times[start] <= t - span:
            start += 1
        best = max(best, end - start + 1)
    return best


async def start_pair(emu: BotApiEmulator, url: str, tmp_path: Path) -> list[BotProcess]:
    ports = [free_port(), free_port()]
    env = {"ZHIYONG_WEBHOOK_SECRET": SECRET, "ZHIYONG_SCHEDULER__GROUP_WINDOW_SECONDS": str(WINDOW),
           "ZHIYONG_SCHEDULER__PER_CHAT_PER_SECOND": "1000"}   # the group limit is the one here
    procs = []
    for i, port in enumerate(ports):      # one after the other: migrations run once
        procs.append(await BotProcess(
            emu, url, "ptb", tmp_path / f"limits{i}.log", "--webhook",
            "--listen", f"127.0.0.1:{port}", "--url", f"http://127.0.0.1:{ports[0]}/tg",
            env=env).start())
        for _ in range(600):
            if f":{port}" in procs[-1].log:
                break
            await asyncio.sleep(0.1)
    return procs


@pytest.mark.backends("postgresql")
async def test_two_processes_keep_telegram_limits_together(
        backend: str, own_db: str, tmp_path: Path) -> None:  # noqa: F811
    emu = await BotApiEmulator(token="415000:LIMITS").start()
    emu.group(GROUP, "城管局")
    people = [emu.user(p, f"市民{p}") for p in PEOPLE]
    procs = await start_pair(emu, own_db, tmp_path)
    try:
        await seed(own_db)
        for _ in range(1200):
            if len(emu.sent(GROUP)) >= 300 and all(len(emu.sent(p.id)) >= 2 for p in people):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)
    finally:
        for p in procs:
            await p.stop()
        await emu.stop()
    group_texts = [m.plain or "" for m in emu.sent(GROUP)]
    assert [re.findall(r"N\d{3}", t) for t in group_texts] == [
        [f"N{i:03d}"] for i in range(300)], "the group's 300 once each, in order"
    for p in people:
        texts = [m.plain or "" for m in emu.sent(p.id)]
        assert len(texts) == 2 and "P0" in texts[0] and "P1" in texts[1], texts

    rows = await sent_rows(own_db)
    slot = {_key(r.chat_id, r.payload.get("params", {})): r.claimed_at.timestamp()
            for r in rows if r.claimed_at is not None}
    calls = [c for c in emu.calls("sendMessage") if c.status == 200]
    lags = [c.at - slot[_key(int(c.params["chat_id"]), {"text": c.params["text"]})]
            for c in calls]
    slots = list(slot.values())
    group_slots = [t for (chat, _), t in slot.items() if chat == GROUP]
    arrived = [c.at for c in calls]
    workers = {r.claimed_by for r in rows}
    print(f"\n500 messages in {max(arrived) - min(arrived):.1f} s by {len(workers)} processes; "
          f"most to the group in any {WINDOW:g} s: {most_in_any(group_slots, WINDOW)}; most "
          f"bot-wide in any second: {most_in_any(slots, 1.0)} (as handed over; as arrived: "
          f"{most_in_any(arrived, 1.0)}, slot to arrival at most {max(lags) * 1000:.0f} ms)")
    assert len(calls) == len(slot) == 500 and len(workers) == 2, "once each, by both processes"
    assert min(lags) > -0.01, "a message went before its slot was taken"
    assert most_in_any(group_slots, WINDOW) <= 20
    assert most_in_any(slots, 1.0) <= 30
    for p in procs:
        assert "Traceback" not in p.log, p.log[-3000:]
