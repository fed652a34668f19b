"""The unit of work: one session, one transaction, all repositories on it."""

from __future__ import annotations

from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import make_engine, session_factory
from storage.event_log import EventLog
from storage.repositories import (
    SqlAttachments,
    SqlBindings,
    SqlComplainants,
    SqlConversations,
    SqlEvents,
    SqlExtensions,
    SqlInvites,
    SqlOutbox,
    SqlStaff,
    SqlTickets,
    SqlUpdateLog,
)
from storage.sweep_repo import SqlActions, SqlLedger


class SqlUnitOfWork:
    """Commits only when told to; anything left uncommitted is rolled back on exit."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        s = self.session
        self.event_log = EventLog()
        self.complainants = SqlComplainants(s)
        self.conversations = SqlConversations(s)
        self.tickets = SqlTickets(s)
        self.events = SqlEvents(s, self.event_log)
        self.attachments = SqlAttachments(s)
        self.bindings = SqlBindings(s)
        self.invites = SqlInvites(s)
        self.updates = SqlUpdateLog(s)
        self.outbox = SqlOutbox(s)
        self.staff = SqlStaff(s)
        self.extensions = SqlExtensions(s)
        self.actions = SqlActions(s, self.event_log)
        self.ledger = SqlLedger(s)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.session.rollback()
        await self.session.close()

    async def commit(self) -> None:
        lines = await self.event_log.describe(self.session)
        await self.session.commit()
        self.event_log.emit(lines)

    async def rollback(self) -> None:
        self.event_log.discard()
        await self.session.rollback()


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url)
        self._sessions = session_factory(self.engine)

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions)

    async def dispose(self) -> None:
        await self.engine.dispose()
