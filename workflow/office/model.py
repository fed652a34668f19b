"""Records of the accountability office. Plain dataclasses; storage maps them by field name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Verdict(StrEnum):
    """调查核实的结论."""

    SUBSTANTIATED = "substantiated"   # 属实
    PARTLY = "partly"                 # 部分属实
    UNFOUNDED = "unfounded"           # 不属实


SUBSTANTIATED = (Verdict.SUBSTANTIATED, Verdict.PARTLY)   # what counts as a valid complaint


class Measure(StrEnum):
    """问责措施, mildest first (Xiangyang 2011), or none."""

    NONE = "none"                         # 无
    CRITICISM = "criticism"               # 通报批评
    ADMONITION = "admonition"             # 诫勉
    TRANSFER = "transfer"                 # 调离岗位
    SUSPENSION = "suspension"             # 停职检查
    ORDERED_RESIGNATION = "ordered_resignation"   # 责令辞职
    REMOVAL = "removal"                   # 免职
    DISMISSAL = "dismissal"               # 辞退或者解聘
    PROSECUTION = "prosecution"           # 移送司法机关


class OfficialRole(StrEnum):
    HANDLER = "handler"       # the official the complaint is about
    HEAD = "head"             # the unit's head (一案双查)


@dataclass
class Official:
    """One person, matched by the normalised name and unit; `merged_into` after a merge."""

    name: str
    name_key: str
    unit: str
    unit_key: str
    created_at: datetime
    post: str = ""
    merged_into: int | None = None
    id: int | None = None


@dataclass
class Concerned:
    """An official named in a finding, with the measure decided for them."""

    official_id: int
    role: str
    measure: str
    post: str = ""
    unit: str = ""
    year: int = 0                    # calendar year of the complaint (repeat-offender count)
    finding_id: int | None = None
    id: int | None = None


@dataclass
class Finding:
    """调查核实: the verdict on one ticket; corrected in place, every change is a ticket event."""

    ticket_id: int
    verdict: str
    recorded_by: int
    recorded_at: datetime
    note: str = ""
    updated_at: datetime | None = None
    concerned: list[Concerned] = field(default_factory=list)
    id: int | None = None


@dataclass
class Correction:
    """The office confirmed or corrected what the classifier said (training data for nlp)."""

    ticket_id: int
    text: str
    field: str                       # category | department
    old: str
    new: str
    by: int
    at: datetime
    id: int | None = None


@dataclass
class IdentityView:
    """Who saw a real-name complainant's identity, when and through what."""

    ticket_id: int
    viewer: str                      # "staff:<telegram id>" or "cli:<os user>"
    purpose: str                     # ticket | export
    at: datetime
    id: int | None = None
