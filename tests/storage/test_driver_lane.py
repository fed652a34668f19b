"""Units of work whose statements run on the driver (SQLite) against a real database file, and
the same calls on PostgreSQL: what is written and read is what SQLAlchemy writes and reads; a
session statement joins the driver's transaction; the one connection always goes back."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError, InvalidRequestError, StatementError

from storage.driver_lane import lane_of
from storage.migrate import upgrade_async
from storage.repositories.chats import _GET
from storage.tables import ProcessedUpdateRow
from storage.uow import Database
from workflow.model import Complainant, Conversation, Ticket

AT = datetime(2002, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def _conversation(chat: int) -> Conversation:
    return Conversation(chat_id=chat, state="describe", token="tok",
                        draft={"draft": {"parts": ["楼道灯坏了", "已报修三次"]}, "script": "hant"},
                        updated_at=AT)


def _ticket(number: str, complainant: int) -> Ticket:
    return Ticket(number=number, complainant_id=complainant, anonymous=True, text="测试", accused="",
                  category="other", department="urban", urgent=False, created_at=AT,
                  tags=["拖延"], confidence={"other": 0.5})


async def test_values_round_trip_as_sqlalchemy_writes_them(database: Database) -> None:
    chat = secrets.randbelow(10**12)
    async with database.uow() as uow:
        await uow.conversations.save(_conversation(chat))
        await uow.commit()
    async with database.uow() as uow:
        stored, blocked = await uow.conversations.get_with_block(chat)
    assert not blocked
    assert stored is not None and stored.updated_at == AT and stored.updated_at.tzinfo is not None
    assert stored.draft == _conversation(chat).draft and stored.state == "describe"


async def test_a_session_statement_joins_the_driver_transaction(database: Database) -> None:
    chat, number = secrets.randbelow(10**12), f"ZY-L-{secrets.token_hex(4)}"
    async with database.uow() as uow:
        await uow.conversations.save(_conversation(chat))        # the driver's transaction
        who = await uow.complainants.register(Complainant(telegram_id=chat))
        ticket = await uow.tickets.add(_ticket(number, who.id or 0))
        assert await uow.tickets.get(ticket.id or 0) is not None  # an ORM read inside it
        await uow.commit()
    async with database.uow() as uow:
        assert await uow.conversations.get(chat) is not None
        stored = await uow.tickets.by_number(number)
    assert stored is not None and stored.tags == ["拖延"] and stored.confidence == {"other": 0.5}


@pytest.mark.parametrize("session_first", [False, True])
async def test_a_rollback_drops_both_kinds_of_statement(database: Database,
                                                         session_first: bool) -> None:
    chat, number = secrets.randbelow(10**12), f"ZY-R-{secrets.token_hex(4)}"
    async with database.uow() as uow:
        if session_first:
            await uow.tickets.by_number("none")
        await uow.conversations.save(_conversation(chat))
        who = await uow.complainants.register(Complainant(telegram_id=chat))
        await uow.tickets.add(_ticket(number, who.id or 0))
        await uow.tickets.by_number(number)
        await uow.rollback()
    async with database.uow() as uow:
        assert await uow.conversations.get(chat) is None
        assert await uow.tickets.by_number(number) is None


async def test_errors_are_sqlalchemys_and_the_connection_goes_back(database: Database) -> None:
    update_id = secrets.randbelow(10**12)
    insert = ProcessedUpdateRow.__table__.insert()  # type: ignore[attr-defined]
    with pytest.raises(IntegrityError) as raised:
        async with database.uow() as uow:
            lane = await lane_of(uow.session)
            row = {"update_id": update_id, "at": AT}
            if lane is None:       # PostgreSQL: the session's own execution
                await uow.session.exec(insert, params=row)  # type: ignore[call-overload]
                await uow.session.exec(insert, params=row)  # type: ignore[call-overload]
            else:
                await lane.run(insert, row)
                await lane.run(insert, row)
    assert str(update_id) not in str(raised.value)   # the values stay out of the logs

    async def next_update() -> None:
        async with database.uow() as uow:
            assert await uow.updates.first_time(update_id, AT)   # the first insert rolled back
            await uow.commit()
    await asyncio.wait_for(next_update(), 5)   # not queued behind a connection never returned


async def test_concurrent_units_of_work_all_commit(database: Database) -> None:
    chats = [secrets.randbelow(10**12) for _ in range(40)]

    async def one(chat: int) -> None:
        async with database.uow() as uow:
            await uow.updates.first_time(chat, AT)
            await uow.conversations.save(_conversation(chat))
            if chat % 3 == 0:
                await uow.tickets.by_number("none")
            await uow.commit()

    await asyncio.wait_for(asyncio.gather(*(one(c) for c in chats)), 30)
    async with database.uow() as uow:
        assert all([await uow.conversations.get(c) is not None for c in chats])


async def test_a_failed_commit_leaves_no_transaction_open(sqlite_url: str) -> None:
    """SQLite's alone: the driver's own COMMIT."""
    await upgrade_async(sqlite_url)
    database = Database(sqlite_url)
    try:
        await _fail_a_commit(database)
    finally:
        await database.dispose()


async def _fail_a_commit(database: Database) -> None:
    number = f"ZY-C-{secrets.token_hex(4)}"
    with pytest.raises(IntegrityError):
        async with database.uow() as uow:
            lane = await lane_of(uow.session)
            assert lane is not None
            await lane.execute("PRAGMA defer_foreign_keys=ON")   # checked at COMMIT
            await uow.tickets.add(_ticket(number, complainant=-1))
            await uow.commit()

    async def next_update() -> None:
        async with database.uow() as uow:
            assert await uow.updates.first_time(secrets.randbelow(10**12), AT)
            await uow.commit()
            assert await uow.tickets.by_number(number) is None
    await asyncio.wait_for(next_update(), 5)


async def test_a_missing_parameter_is_refused_not_written_as_null(database: Database) -> None:
    async with database.uow() as uow:
        lane = await lane_of(uow.session)
        with pytest.raises((InvalidRequestError, StatementError),
                           match="A value is required for bind parameter 'chat_id'"):
            if lane is None:   # PostgreSQL: SQLAlchemy's own execution, the same refusal
                await uow.session.exec(_GET, params={})  # type: ignore[call-overload]
            else:
                await lane.run(_GET, {})
