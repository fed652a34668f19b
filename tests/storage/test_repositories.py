"""The repositories against a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta

from storage.uow import Database
from workflow.model import Complainant, Conversation, OutboxMessage, Ticket

NOW = datetime(2001, 1, 5, 8, 0, tzinfo=UTC)   # long before any other test's outbox rows


def _day() -> date:
    """A day of its own per test, so counters never collide between tests or backends."""
    return date(2000 + secrets.randbelow(900), 1 + secrets.randbelow(12), 1 + secrets.randbelow(28))


async def test_ticket_serials_are_unique_under_concurrency(database: Database) -> None:
    day = _day()

    async def take() -> int:
        async with database.uow() as uow:
            n = await uow.tickets.next_serial(day)
            await uow.commit()
            return n

    serials = await asyncio.gather(*(take() for _ in range(30)))
    assert sorted(serials) == list(range(1, 31))


async def test_update_is_handled_once(database: Database) -> None:
    update_id = secrets.randbelow(10**12)
    async with database.uow() as uow:
        assert await uow.updates.first_time(update_id, NOW)
        await uow.commit()
    async with database.uow() as uow:
        assert not await uow.updates.first_time(update_id, NOW)


async def test_conversation_upsert_and_json_round_trip(database: Database) -> None:
    chat = secrets.randbelow(10**9)
    async with database.uow() as uow:
        await uow.conversations.save(Conversation(chat_id=chat, state="describe", token="t1",
                                                  draft={"parts": ["你好"]}, updated_at=NOW))
        await uow.conversations.save(Conversation(chat_id=chat, state="confirm", token="t2",
                                                  draft={"parts": ["你好", "再见"]}, updated_at=NOW))
        await uow.commit()
    async with database.uow() as uow:
        conv = await uow.conversations.get(chat)
    assert conv is not None and conv.state == "confirm" and conv.draft["parts"] == ["你好", "再见"]
    assert conv.updated_at == NOW and conv.updated_at.tzinfo is not None


async def test_optimistic_lock_lets_one_writer_win(database: Database) -> None:
    async with database.uow() as uow:
        who = await uow.complainants.add(Complainant(telegram_id=secrets.randbelow(10**12)))
        t = await uow.tickets.add(Ticket(
            number=f"ZY-T-{secrets.token_hex(4)}", complainant_id=who.id or 0, anonymous=True,
            text="测试", accused="", category="other", department="urban", urgent=False,
            created_at=NOW))
        await uow.commit()
    first, second = Ticket(**{**t.__dict__}), Ticket(**{**t.__dict__})
    first.state, second.state = "signed", "triage"
    async with database.uow() as uow:
        assert await uow.tickets.save(first)
        await uow.commit()
    async with database.uow() as uow:
        assert not await uow.tickets.save(second)
        stored = await uow.tickets.get(t.id or 0)
    assert stored is not None and stored.state == "signed"


async def test_outbox_dedupes_and_claims_each_row_once(quiet_database: Database) -> None:
    database = quiet_database
    chat = -secrets.randbelow(10**9)
    key = f"test:{chat}"
    async with database.uow() as uow:
        assert await uow.outbox.add(OutboxMessage(chat_id=chat, payload={"key": "x"},
                                                  dedupe_key=key, created_at=NOW, not_before=NOW))
        assert not await uow.outbox.add(OutboxMessage(chat_id=chat, payload={"key": "x"},
                                                      dedupe_key=key, created_at=NOW,
                                                      not_before=NOW))
        await uow.commit()

    async def claim(worker: str) -> list[OutboxMessage]:
        async with database.uow() as uow:
            got = await uow.outbox.claim(NOW, worker, 1000, NOW - timedelta(minutes=2))
            await uow.commit()
            return [m for m in got if m.chat_id == chat]

    a, b = await asyncio.gather(claim("a"), claim("b"))
    assert len(a) + len(b) == 1
    # a claim abandoned by a dead worker is taken again once stale
    later = NOW + timedelta(minutes=5)
    async with database.uow() as uow:
        again = [m for m in await uow.outbox.claim(later, "c", 1000, later - timedelta(minutes=2))
                 if m.chat_id == chat]
        await uow.commit()
    assert len(again) == 1 and again[0].claimed_by == "c" and again[0].attempts == 2


async def test_replies_wait_behind_an_earlier_row_of_their_chat(quiet_database: Database) -> None:
    """add_replies: claimed at once unless the chat has a row due or in another sender's hands;
    the sender's own claims do not hold its chat back."""
    database = quiet_database
    chat = -secrets.randbelow(10**9)

    def reply(key: str) -> OutboxMessage:
        return OutboxMessage(chat_id=chat, payload={"key": "x"}, dedupe_key=f"{key}:{chat}",
                             created_at=NOW, not_before=NOW)

    async with database.uow() as uow:
        first = await uow.outbox.add_replies([reply("a"), reply("b")], "w", NOW)
        mine = await uow.outbox.add_replies([reply("c")], "w", NOW)
        other = await uow.outbox.add_replies([reply("d"), reply("e")], "v", NOW)
        behind = await uow.outbox.add_replies([reply("f")], "w", NOW)
        await uow.commit()
    assert [m.status for m in first + mine] == ["claimed"] * 3
    assert all(m.claimed_by == "w" and m.attempts == 1 for m in first + mine)
    assert other == [] and behind == []   # "v" waits behind w's claims; then "f" behind them
    async with database.uow() as uow:
        later = [m for m in await uow.outbox.claim(NOW, "z", 1000, NOW - timedelta(minutes=2))
                 if m.chat_id == chat]
        await uow.rollback()
    assert later == []    # still behind w's claims in flight


async def test_replies_sent_together_are_marked_in_one_transaction(
        quiet_database: Database) -> None:
    """SentMarks: concurrent senders' marks share a commit; each waits for its own."""
    from workflow.outbox.sent import SentMarks

    database = quiet_database
    chats = [-secrets.randbelow(10**9) for _ in range(5)]
    async with database.uow() as uow:
        claimed = await uow.outbox.add_replies(
            [OutboxMessage(chat_id=c, payload={"key": "x"}, dedupe_key=f"marks:{c}",
                           created_at=NOW, not_before=NOW) for c in chats], "w", NOW)
        await uow.commit()
    commits = 0

    class Counting:
        def uow(self):  # type: ignore[no-untyped-def]
            nonlocal commits
            commits += 1
            return database.uow()

    marks = SentMarks(Counting())  # type: ignore[arg-type]
    await asyncio.gather(*(marks.mark(m.id or 0, NOW, 100 + i) for i, m in enumerate(claimed)))
    assert commits == 1
    async with database.uow() as uow:
        for i, m in enumerate(claimed):
            got = await uow.outbox.by_message(m.chat_id, 100 + i)
            assert got is not None and got.status == "sent" and got.sent_at is not None
