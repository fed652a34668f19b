"""One log line per ticket event, written once the unit of work that recorded it commits.

The line carries the ticket number, the event and the department, never who complained
(nor the event's detail, which may quote them). Numbers and departments are read in the same
transaction, just before the commit, with one query for all events of the unit of work.
"""

from __future__ import annotations

import logging

from sqlalchemy import bindparam
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.driver_lane import lane_of
from storage.tables import TicketRow
from workflow.model import TicketEvent

log = logging.getLogger("zhiyong.events")
_T = TicketRow.__table__.c  # type: ignore[attr-defined]
_NUMBER_OF = select(_T.id, _T.number, _T.department).where(_T.id == bindparam("id"))


class EventLog:
    def __init__(self) -> None:
        self.pending: list[TicketEvent] = []

    def note(self, events: list[TicketEvent]) -> None:
        self.pending.extend(events)

    async def describe(self, session: AsyncSession) -> list[tuple[str, str, str]]:
        """(number, event, department) for the noted events, in the order they were noted."""
        if not self.pending:
            return []
        ids = list({e.ticket_id for e in self.pending})
        lane = await lane_of(session)
        if lane is not None:   # mostly one ticket: one short statement each on the driver
            rows = [(r["id"], r["number"], r["department"]) for i in ids
                    for r in (await lane.run(_NUMBER_OF, {"id": i})).all()]
        else:
            rows = list((await session.exec(
                select(TicketRow.id, TicketRow.number, TicketRow.department)
                .where(col(TicketRow.id).in_(ids)))).all())
        found = {i: (n, d) for i, n, d in rows}
        return [(found[e.ticket_id][0], e.kind, found[e.ticket_id][1])
                for e in self.pending if e.ticket_id in found]

    def emit(self, lines: list[tuple[str, str, str]]) -> None:
        for number, event, department in lines:
            log.info("ticket %s %s department=%s", number, event, department,
                     extra={"ticket": number, "event": event, "department": department})
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()
