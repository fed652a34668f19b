"""The office's own database per backend: its aggregates read every ticket, so no other
test's rows may be in it. Tickets are written straight through the repositories."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_app
from bot.config import Settings
from storage.uow import Database
from tests.conftest import own_database
from workflow.context import Context
from workflow.deadlines.clock import FakeClock
from workflow.model import Complainant, GroupBinding, Role, StaffMember, Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)           # Tuesday 10:00 in Shanghai
_serial = itertools.count(1)


@pytest.fixture(scope="session")
async def office_db(backend: str, tmp_path_factory: pytest.TempPathFactory
                    ) -> AsyncIterator[Database]:
    async with own_database(backend, "office", tmp_path_factory) as db:
        yield db


@pytest.fixture
def office_settings(settings: Settings, office_db: Database) -> Settings:
    own = settings.model_copy(deep=True)
    own.storage.url = office_db.url
    return own


@pytest.fixture
async def ctx(office_settings: Settings) -> AsyncIterator[Context]:
    app = build_app(office_settings, clock=FakeClock(NOW))
    yield app.ctx
    await app.close()


async def add_ticket(ctx: Context, created_at: datetime, department: str = "housing",
                     state: str = "answered", anonymous: bool = True, **fields: object
                     ) -> Ticket:
    async with ctx.uow() as uow:
        who = await uow.complainants.add(Complainant(
            telegram_id=secrets.randbelow(10**12), first_name="王", last_name="实名",
            phone="13900001111"))
        t = await uow.tickets.add(Ticket(
            number=f"ZY-T{next(_serial):05d}-{secrets.token_hex(2)}", complainant_id=who.id or 0,
            anonymous=anonymous, text="物业推诿扯皮，消防通道被锁", accused="", category="will_not",
            department=department, urgent=False, created_at=created_at, state=state,
            **fields))  # type: ignore[arg-type]
        await uow.commit()
    return t


async def supervisor(ctx: Context, role: str = Role.SUPERVISOR, department: str = "supervision"
                     ) -> StaffMember:
    m = StaffMember(telegram_id=secrets.randbelow(10**12), display_name="督查员",
                    department=department, role=role, joined_at=NOW)
    async with ctx.uow() as uow:
        await uow.staff.upsert(m)
        await uow.commit()
    return m


async def bind_office(ctx: Context) -> int:
    chat = -secrets.randbelow(10**12)
    async with ctx.uow() as uow:
        if await uow.bindings.for_department("supervision") is None:
            await uow.bindings.bind(GroupBinding(department="supervision", chat_id=chat,
                                                 bound_at=NOW, bound_by=1))
            await uow.commit()
        b = await uow.bindings.for_department("supervision")
    assert b is not None
    return b.chat_id
