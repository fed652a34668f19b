"""SQL repositories of the accountability office (workflow.ports: FindingRepo, OfficialRepo,
CorrectionRepo, AuditRepo)."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlmodel import col, select

from storage.mapping import to_domain, to_row, values_of
from storage.office_tables import (
    ConcernedRow,
    CorrectionRow,
    FindingRow,
    IdentityViewRow,
    OfficialRow,
)
from storage.repositories.base import Repository
from storage.tables import TicketRow
from workflow.office.model import (
    SUBSTANTIATED,
    Concerned,
    Correction,
    Finding,
    IdentityView,
    Official,
)

_FINDING_COLUMNS = ("ticket_id", "verdict", "note", "recorded_by", "recorded_at", "updated_at")


class SqlFindings(Repository):
    async def for_ticket(self, ticket_id: int) -> Finding | None:
        row = (await self.s.exec(select(FindingRow).where(FindingRow.ticket_id == ticket_id))
               ).first()
        if row is None:
            return None
        concerned = (await self.s.exec(select(ConcernedRow).where(
            ConcernedRow.finding_id == row.id).order_by(col(ConcernedRow.id)))).all()
        return Finding(**{k: getattr(row, k) for k in _FINDING_COLUMNS}, id=row.id,
                       concerned=[to_domain(c, Concerned) for c in concerned])

    async def add(self, f: Finding) -> Finding:
        row = FindingRow(**{k: getattr(f, k) for k in _FINDING_COLUMNS})
        self.s.add(row)
        await self.s.flush()
        f.id = row.id
        await self._put_concerned(f)
        return f

    async def save(self, f: Finding) -> None:
        await self.s.exec(update(FindingRow).where(col(FindingRow.id) == f.id)  # type: ignore[call-overload]
                          .values(**{k: getattr(f, k) for k in _FINDING_COLUMNS}))
        await self.s.exec(delete(ConcernedRow).where(col(ConcernedRow.finding_id) == f.id))  # type: ignore[call-overload]
        await self._put_concerned(f)

    async def _put_concerned(self, f: Finding) -> None:
        for c in f.concerned:
            c.finding_id, c.id = f.id, None
            row = to_row(c, ConcernedRow)
            self.s.add(row)
            await self.s.flush()
            c.id = row.id


class SqlOfficials(Repository):
    async def get(self, official_id: int) -> Official | None:
        row = await self.s.get(OfficialRow, official_id)
        return to_domain(row, Official) if row else None

    async def by_key(self, name_key: str, unit_key: str) -> Official | None:
        row = (await self.s.exec(select(OfficialRow).where(
            OfficialRow.name_key == name_key, OfficialRow.unit_key == unit_key))).first()
        for _ in range(10):   # follow merges to the spelling that was kept
            if row is None or row.merged_into is None:
                break
            row = await self.s.get(OfficialRow, row.merged_into)
        return to_domain(row, Official) if row else None

    async def add(self, o: Official) -> Official:
        row = to_row(o, OfficialRow)
        self.s.add(row)
        await self.s.flush()
        o.id = row.id
        return o

    async def merge(self, keep_id: int, other_id: int) -> None:
        await self.s.exec(update(ConcernedRow).where(  # type: ignore[call-overload]
            col(ConcernedRow.official_id) == other_id).values(official_id=keep_id))
        await self.s.exec(update(OfficialRow).where(  # type: ignore[call-overload]
            col(OfficialRow.id) == other_id).values(merged_into=keep_id))
        await self.s.exec(update(OfficialRow).where(  # type: ignore[call-overload]
            col(OfficialRow.merged_into) == other_id).values(merged_into=keep_id))

    async def substantiated(self, official_id: int, year: int) -> list[str]:
        rows = await self.s.exec(
            select(TicketRow.number).distinct()
            .join(FindingRow, col(FindingRow.ticket_id) == col(TicketRow.id))
            .join(ConcernedRow, col(ConcernedRow.finding_id) == col(FindingRow.id))
            .where(ConcernedRow.official_id == official_id, ConcernedRow.year == year,
                   col(FindingRow.verdict).in_([v.value for v in SUBSTANTIATED]))
            .order_by(TicketRow.number))
        return list(rows.all())

    async def years(self, official_id: int) -> list[int]:
        rows = await self.s.exec(select(ConcernedRow.year).distinct().where(
            ConcernedRow.official_id == official_id))
        return sorted(rows.all())


class SqlCorrections(Repository):
    async def add(self, c: Correction) -> Correction:
        row = to_row(c, CorrectionRow)
        self.s.add(row)
        await self.s.flush()
        c.id = row.id
        return c

    async def for_ticket(self, ticket_id: int) -> list[Correction]:
        rows = await self.s.exec(select(CorrectionRow).where(
            CorrectionRow.ticket_id == ticket_id).order_by(col(CorrectionRow.id)))
        return [to_domain(r, Correction) for r in rows.all()]

    async def listing(self) -> list[Correction]:
        rows = await self.s.exec(select(CorrectionRow).order_by(col(CorrectionRow.id)))
        return [to_domain(r, Correction) for r in rows.all()]


class SqlAudit(Repository):
    async def add(self, views: list[IdentityView]) -> None:
        if views:
            await self.s.exec(self._insert(IdentityViewRow),  # type: ignore[call-overload]
                              params=[values_of(v) for v in views])

    async def for_ticket(self, ticket_id: int) -> list[IdentityView]:
        rows = await self.s.exec(select(IdentityViewRow).where(
            IdentityViewRow.ticket_id == ticket_id).order_by(col(IdentityViewRow.id)))
        return [to_domain(r, IdentityView) for r in rows.all()]
