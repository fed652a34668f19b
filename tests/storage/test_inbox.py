"""The update inbox against a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

from bot.intake import Intake
from storage.repositories.inbox import SqlInbox
from storage.uow import Database

HOSTILE = "窗口\x00人员\ud800推诿\uffff"   # as Telegram's JSON may carry it


async def test_kept_once_in_order_round_trip_and_dropped(database: Database) -> None:
    inbox = SqlInbox(database)
    base = 10**12 + secrets.randbelow(10**12)
    ids = [base + 2, base, base + 1]
    updates: list[dict[str, Any]] = [{"update_id": u, "message": {"chat": {"id": 7}, "text": f"{HOSTILE}{u}"}}
               for u in ids]
    await inbox.keep([(u["update_id"], 7, u) for u in updates])
    await inbox.keep([(ids[0], 7, updates[0])])          # kept again: still once
    mine = [u for u in await inbox.pending() if u["update_id"] in ids]
    assert mine == sorted(updates, key=lambda u: u["update_id"])
    await inbox.drop(ids[:2])
    assert [u["update_id"] for u in await inbox.pending() if u["update_id"] in ids] == [base + 1]
    await inbox.drop([base + 1])
    assert not [u for u in await inbox.pending() if u["update_id"] in ids]


class Telegram:
    """getUpdates as Telegram answers it: up to 100 from `offset`, confirming those below."""

    def __init__(self, updates: list[dict[str, Any]]) -> None:
        self.queue, self.offsets = updates, []  # type: ignore[var-annotated]

    async def fetch(self, offset: int | None, timeout: float) -> list[dict[str, Any]]:
        self.offsets.append(offset)
        if offset is not None:
            self.queue = [u for u in self.queue if u["update_id"] >= offset]
        if not self.queue:
            await asyncio.sleep(0.02)
        return self.queue[:100]


def update(uid: int, chat: int) -> dict[str, Any]:
    return {"update_id": uid, "message": {"chat": {"id": chat}, "text": "/help"}}


async def test_intake_keeps_only_the_backlog_and_resumes_it(database: Database) -> None:
    inbox, base = SqlInbox(database), 10**12 + secrets.randbelow(10**12)
    release, handled = asyncio.Event(), []

    async def handle(u: dict[str, Any]) -> None:
        if u["message"]["chat"]["id"] == 1:
            await release.wait()
        handled.append(u["update_id"])

    tg = Telegram([update(base, 1), update(base + 1, 1), update(base + 2, 2)])
    intake = Intake(handle, limit=4, inbox=inbox)
    poll = asyncio.create_task(intake.poll(tg.fetch, timeout=1))
    for _ in range(200):
        if base + 3 in tg.offsets:
            break
        await asyncio.sleep(0.01)
    assert base + 3 in tg.offsets, "the slow chat's backlog was confirmed"
    ours = {base, base + 1, base + 2}
    assert [u["update_id"] for u in await inbox.pending() if u["update_id"] in ours] == [
        base, base + 1], "only what was still in flight was kept"
    assert handled == [base + 2]

    again = Intake(handle, limit=4, inbox=inbox)   # a second process resumes the kept ones
    idle = Telegram([])
    poll2 = asyncio.create_task(again.poll(idle.fetch, timeout=1))
    release.set()
    await asyncio.sleep(0.3)
    intake.stop()
    again.stop()
    await asyncio.gather(poll, poll2)
    await intake.close()
    await again.close()
    assert sorted(handled) == [base, base, base + 1, base + 1, base + 2], "run here and resumed there (dispatch makes the second a no-op)"
    assert not [u for u in await inbox.pending() if u["update_id"] in ours], "rows dropped"
