"""调查核实 → 问责建议: the finding on an answered ticket, the officials and the measures.

Rules (Xiangyang 2011 procedure): a finding only after the ticket was answered (or closed);
a measure other than 无 only with a substantiated (属实 / 部分属实) verdict; a substantiated
finding names the official(s); a 一案双查 ticket (reopened after 不满意) also records the
unit's head. A finding is corrected in place and every change is a ticket event (who, when,
old → new), so the history shows what was found first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workflow.context import Context
from workflow.desk import staff
from workflow.errors import (
    FindingExists,
    FindingNotFound,
    FindingOnOpenTicket,
    HeadRecordRequired,
    MeasureWithoutFinding,
    NoOfficialNamed,
    NothingChanged,
    TicketNotFound,
    UnknownMeasure,
    UnknownRole,
    UnknownVerdict,
    UserError,
)
from workflow.model import StaffMember, Ticket, TicketEvent, TicketState
from workflow.office import officials
from workflow.office.model import SUBSTANTIATED, Concerned, Finding, Measure, OfficialRole, Verdict
from workflow.ports import UnitOfWork

JUDGEABLE = (TicketState.ANSWERED, TicketState.CLOSED)
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True)
class Named:
    """An official as the supervisor typed them (free text), with the measure for them."""

    name: str
    post: str = ""
    unit: str = ""
    role: str = OfficialRole.HANDLER
    measure: str = Measure.NONE


@dataclass(frozen=True)
class Recorded:
    finding: Finding
    flags: list[officials.RepeatFlag]


def check(t: Ticket, verdict: str | None, named: list[Named]) -> str:
    """The verdict if the combination is allowed; the UserError that says why not otherwise."""
    for n in named:
        if n.measure not in set(Measure):
            raise UnknownMeasure(measure=n.measure, known=", ".join(m.value for m in Measure))
        if n.role not in set(OfficialRole):
            raise UnknownRole(role=n.role, known=", ".join(r.value for r in OfficialRole))
    sanctioned = any(n.measure != Measure.NONE for n in named)
    if not verdict or verdict == Verdict.UNFOUNDED:
        if sanctioned:
            raise MeasureWithoutFinding(number=t.number, verdict=verdict or "")
    if not verdict:
        raise UnknownVerdict(verdict="", known=", ".join(v.value for v in Verdict))
    if verdict not in set(Verdict):
        raise UnknownVerdict(verdict=verdict, known=", ".join(v.value for v in Verdict))
    if t.state not in JUDGEABLE:
        raise FindingOnOpenTicket(number=t.number, state=t.state)
    if verdict in SUBSTANTIATED and not any(n.role == OfficialRole.HANDLER for n in named):
        raise NoOfficialNamed(number=t.number)
    if t.double_check and not any(n.role == OfficialRole.HEAD for n in named):
        raise HeadRecordRequired(number=t.number)
    return verdict


async def _concerned(ctx: Context, uow: UnitOfWork, t: Ticket, named: list[Named]
                     ) -> list[Concerned]:
    year = ctx.local(t.created_at).year
    rows = []
    for n in named:
        person = await officials.match(ctx, uow, n.name, n.unit, n.post)
        assert person.id is not None
        rows.append(Concerned(official_id=person.id, role=n.role, measure=n.measure,
                              post=person.post if not n.post.strip() else n.post.strip(),
                              unit=person.unit, year=year))
    return rows


async def _ticket(uow: UnitOfWork, ticket_id: int) -> Ticket:
    t = await uow.tickets.get(ticket_id)
    if t is None:
        raise TicketNotFound(number=str(ticket_id))
    return t


async def record(ctx: Context, uow: UnitOfWork, member: StaffMember, ticket_id: int,
                 verdict: str | None, named: list[Named], note: str = "") -> Recorded:
    """The first finding on a ticket; corrections go through `correct`."""
    staff.require_office(member, f"finding on ticket {ticket_id}")
    t = await _ticket(uow, ticket_id)
    try:
        verdict = check(t, verdict, named)
        if await uow.findings.for_ticket(ticket_id) is not None:
            raise FindingExists(number=t.number)
        concerned = await _concerned(ctx, uow, t, named)
    except UserError as exc:
        raise _refused(exc, member, t) from None
    f = await uow.findings.add(Finding(
        ticket_id=ticket_id, verdict=verdict, recorded_by=member.telegram_id,
        recorded_at=ctx.now(), note=note.strip()[:MAX_NOTE_CHARS], concerned=concerned))
    await _event(ctx, uow, member, t, "finding_recorded", verdict=verdict,
                 officials=[_brief(c, n) for c, n in zip(concerned, named, strict=True)])
    return Recorded(f, await _flags(ctx, uow, f))


async def correct(ctx: Context, uow: UnitOfWork, member: StaffMember, ticket_id: int,
                  verdict: str | None = None, named: list[Named] | None = None,
                  note: str | None = None) -> Recorded:
    """Change verdict, officials/measures or note; each change is recorded old → new."""
    staff.require_office(member, f"correct finding on ticket {ticket_id}")
    t = await _ticket(uow, ticket_id)
    f = await uow.findings.for_ticket(ticket_id)
    if f is None:
        raise staff.refuse(FindingNotFound(number=t.number), member, "correct finding")
    old = {"verdict": f.verdict, "officials": await _shown(uow, f.concerned), "note": f.note}
    new_verdict = verdict if verdict is not None else f.verdict
    try:
        if named is not None:
            check(t, new_verdict, named)
            concerned = await _concerned(ctx, uow, t, named)
        else:
            check(t, new_verdict, await _as_named(uow, f.concerned))
            concerned = f.concerned
    except UserError as exc:
        raise _refused(exc, member, t) from None
    f.verdict, f.concerned, f.updated_at = new_verdict, concerned, ctx.now()
    f.note = note.strip()[:MAX_NOTE_CHARS] if note is not None else f.note
    new = {"verdict": f.verdict, "officials": await _shown(uow, f.concerned), "note": f.note}
    changes = [{"field": k, "old": old[k], "new": new[k]} for k in old if old[k] != new[k]]
    if not changes:
        raise NothingChanged()
    await uow.findings.save(f)
    await _event(ctx, uow, member, t, "finding_corrected", changes=changes)
    return Recorded(f, await _flags(ctx, uow, f))


def _refused(exc: UserError, member: StaffMember, t: Ticket) -> UserError:
    """Refusals are logged (who, what, why) like every other refusal at the desk."""
    return staff.refuse(exc, member, f"finding on {t.number}")


async def _flags(ctx: Context, uow: UnitOfWork, f: Finding) -> list[officials.RepeatFlag]:
    if f.verdict not in SUBSTANTIATED:
        return []
    flags = []
    for oid, year in sorted({(c.official_id, c.year) for c in f.concerned}):
        flag = await officials.check_repeat(ctx, uow, oid, year, f.ticket_id)
        if flag is not None:
            flags.append(flag)
    return flags


async def _event(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, kind: str,
                 **detail: Any) -> None:
    assert t.id is not None
    await uow.events.add(TicketEvent(ticket_id=t.id, kind=kind, at=ctx.now(),
                                     actor=staff.actor_tag(member),
                                     detail={**detail, "name": member.display_name}))


def _brief(c: Concerned, n: Named) -> dict[str, str]:
    return {"name": n.name.strip(), "role": c.role, "measure": c.measure}


async def _shown(uow: UnitOfWork, concerned: list[Concerned]) -> list[dict[str, str]]:
    shown = []
    for c in concerned:
        person = await uow.officials.get(c.official_id)
        shown.append({"name": person.name if person else str(c.official_id), "role": c.role,
                      "measure": c.measure, "post": c.post, "unit": c.unit})
    return shown


async def _as_named(uow: UnitOfWork, concerned: list[Concerned]) -> list[Named]:
    return [Named(name=d["name"], post=d["post"], unit=d["unit"], role=d["role"],
                  measure=d["measure"]) for d in await _shown(uow, concerned)]
