"""Tables of the accountability office. Field names mirror workflow.office.model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import AwareDateTime


def _when(nullable: bool = True) -> datetime:
    return Field(default=None, sa_type=AwareDateTime, nullable=nullable)  # type: ignore[no-any-return]


class OfficialRow(SQLModel, table=True):
    __tablename__ = "official"
    __table_args__ = (UniqueConstraint("name_key", "unit_key", name="uq_official_name_unit"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    name_key: str = Field(max_length=60)
    unit: str = Field(default="", max_length=120)
    unit_key: str = Field(default="", max_length=120)
    post: str = Field(default="", max_length=120)
    created_at: datetime = _when(nullable=False)
    merged_into: int | None = Field(default=None, foreign_key="official.id")


class FindingRow(SQLModel, table=True):
    __tablename__ = "finding"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    verdict: str = Field(max_length=16)
    note: str = Field(default="", sa_type=Text)
    recorded_by: int = Field(sa_type=BigInteger)
    recorded_at: datetime = _when(nullable=False)
    updated_at: datetime | None = _when()


class ConcernedRow(SQLModel, table=True):
    """An official named in a finding; (official_id, year) serves the repeat-offender count."""

    __tablename__ = "finding_official"
    __table_args__ = (Index("ix_finding_official_official_year", "official_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    official_id: int = Field(foreign_key="official.id")
    role: str = Field(max_length=16)
    measure: str = Field(max_length=32)
    post: str = Field(default="", max_length=120)
    unit: str = Field(default="", max_length=120)
    year: int


class CorrectionRow(SQLModel, table=True):
    __tablename__ = "triage_correction"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    text: str = Field(sa_type=Text)
    field: str = Field(max_length=16)
    old: str = Field(max_length=64)
    new: str = Field(max_length=64)
    by: int = Field(sa_type=BigInteger)
    at: datetime = _when(nullable=False)


class IdentityViewRow(SQLModel, table=True):
    __tablename__ = "identity_view"
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    viewer: str = Field(max_length=128)
    purpose: str = Field(max_length=16)
    at: datetime = _when(nullable=False)
