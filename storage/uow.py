"""The unit of work: one session, one transaction, all repositories on it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import has_lanes, make_engine, session_factory
from storage.driver_lane import LANE_TX, LaneTransaction
from storage.event_log import EventLog
from storage.repositories.chats import SqlBindings, SqlConversations, SqlUpdateLog
from storage.repositories.deadlines import SqlActions, SqlLedger
from storage.repositories.office import SqlAudit, SqlCorrections, SqlFindings, SqlOfficials
from storage.repositories.office_views import SqlOfficeViews
from storage.repositories.outbox import OUTBOX_DUE, SqlOutbox
from storage.repositories.people import SqlBlocks, SqlComplainants, SqlInvites, SqlStaff
from storage.repositories.tickets import SqlAttachments, SqlEvents, SqlExtensions, SqlTickets
from storage.repositories.views import SqlViews


class SqlUnitOfWork:
    """Commits only when told to; anything left uncommitted is rolled back on exit."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 on_outbox_due: list[Callable[[], None]] | None = None,
                 lanes: AsyncEngine | None = None) -> None:
        self._sessions = sessions
        self._on_outbox_due = on_outbox_due or []
        self._lanes = lanes   # SQLite: transactions begun on the driver (storage.driver_lane)
        self._tx: LaneTransaction | None = None

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        s = self.session
        if self._lanes is not None:
            self._tx = s.info[LANE_TX] = LaneTransaction(self._lanes)
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
        self.blocks = SqlBlocks(s)
        self.actions = SqlActions(s)
        self.ledger = SqlLedger(s)
        self.views = SqlViews(s)
        self.findings = SqlFindings(s)
        self.officials = SqlOfficials(s)
        self.corrections = SqlCorrections(s)
        self.audit = SqlAudit(s)
        self.office_views = SqlOfficeViews(s)
        return self

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self.session.rollback()
            await self.session.close()
        finally:
            if self._tx is not None:
                await self._tx.end(commit=False)

    async def commit(self) -> None:
        """Commit; then log the ticket events, and if a row was queued for now, wake the outbox
        sender(s) of this process."""
        lines = await self.event_log.describe(self.session)
        s = self.session
        if self._tx is not None and self._tx.active and not s.sync_session.in_transaction() \
                and not (s.new or s.dirty or s.deleted):
            await self._tx.end(commit=True)      # the driver's transaction alone
        else:
            await s.commit()
            if self._tx is not None:
                await self._tx.end(commit=True)  # the session committed; the connection back
        self.event_log.emit(lines)
        if self.session.info.pop(OUTBOX_DUE, False):
            for wake in self._on_outbox_due:
                wake()

    async def rollback(self) -> None:
        self.event_log.discard()
        self.session.info.pop(OUTBOX_DUE, None)
        try:
            await self.session.rollback()
        finally:
            if self._tx is not None:
                await self._tx.end(commit=False)

    def savepoint(self) -> AbstractAsyncContextManager[object]:
        """Isolate one step: its writes roll back alone if it raises."""
        return self.session.begin_nested()


class Database:
    """Owns the engine; hands out units of work."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: AsyncEngine = make_engine(url)
        self._sessions = session_factory(self.engine)
        self._lanes = has_lanes(self.engine)
        # Called after a commit that queued an outbox row due now (the sender's wake-up).
        self.on_outbox_due: list[Callable[[], None]] = []

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self.on_outbox_due,
                             self.engine if self._lanes else None)

    async def dispose(self) -> None:
        await self.engine.dispose()
