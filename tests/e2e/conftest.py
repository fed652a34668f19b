"""End-to-end fixtures: the Bot API emulator and the real PTB bot polling it, per backend.

One emulator and one running bot per database backend for the whole session; tests use fresh
user ids (`new_id`) so they never see each other's chats. Every department has a group.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from bot.app import App, build_app
from bot.config import Settings, TelegramConfig
from bot.emulator import BotApiEmulator, Group, User
from bot.ptb.runner import PtbBot
from storage.uow import Database
from workflow.deadlines.clock import FakeClock
from workflow.model import Ticket

GROUP_BASE = -1001000000000


@dataclass
class Live:
    emu: BotApiEmulator
    app: App
    bot: PtbBot
    groups: dict[str, Group]

    def citizen(self, user_id: int, name: str = "王小明") -> User:
        return self.emu.user(user_id, name, username=f"citizen{user_id}", language_code="zh-hans")

    async def ticket(self, number: str) -> Ticket:
        async with self.app.ctx.uow() as uow:
            t = await uow.tickets.by_number(number)
        assert t is not None, number
        return t


@pytest.fixture(scope="session")
async def emu(backend: str) -> AsyncIterator[BotApiEmulator]:
    emulator = BotApiEmulator(token="777000:E2E")
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture(scope="session")
def e2e_settings(settings: Settings, emu: BotApiEmulator) -> Settings:
    s = settings.model_copy(deep=True)
    s.telegram = TelegramConfig(api_url=emu.api_url, poll_timeout=1)
    for i, dept in enumerate(s.departments.values()):
        dept.chat_id = GROUP_BASE - i
    return s


@pytest.fixture(scope="session")
async def live(e2e_settings: Settings, emu: BotApiEmulator, clock: FakeClock,
               database: Database) -> AsyncIterator[Live]:
    groups = {dept_id: emu.group(d.chat_id or 0, f"{d.name}工作群")
              for dept_id, d in e2e_settings.departments.items()}
    app = build_app(e2e_settings, clock=clock)
    await app.prepare()
    bot = PtbBot(app, emu.token)
    await bot.start()
    yield Live(emu, app, bot, groups)
    await bot.stop()
    await app.close()


@pytest.fixture
def citizen(live: Live, new_id: Callable[[], int]) -> User:
    return live.citizen(new_id())
