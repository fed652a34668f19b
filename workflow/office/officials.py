"""Officials named in findings: matching spellings, merging them, and the repeat-offender rule.

Shenzhen 2005: 对年度内受到两次以上有效投诉的干部，年度考核不能评为"称职". A complaint counts
in the calendar year (city zone) it was filed; the count starts again on 1 January. The flag
is raised once per person and year, as an outbox notice to the office group, at the moment
the second substantiated finding (or a merge that brings two together) is recorded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from workflow.chat.messages import Outgoing
from workflow.context import Context
from workflow.desk import staff
from workflow.errors import NothingChanged, OfficialNotFound
from workflow.model import StaffMember
from workflow.office import names
from workflow.office.model import Official
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

log = logging.getLogger("zhiyong.office")

REPEAT_THRESHOLD = 2


@dataclass(frozen=True)
class RepeatFlag:
    official: Official
    year: int
    tickets: list[str]


async def match(ctx: Context, uow: UnitOfWork, name: str, unit: str, post: str) -> Official:
    """The person with this name and unit after normalisation, created on first mention."""
    shown, unit_shown = names.check_name(name), names.check_field(unit, "unit")
    name_key, unit_key = names.key(shown), names.key(unit_shown)
    found = await uow.officials.by_key(name_key, unit_key)
    if found is not None:
        return found
    return await uow.officials.add(Official(
        name=shown, name_key=name_key, unit=unit_shown, unit_key=unit_key,
        post=names.check_field(post, "post"), created_at=ctx.now()))


async def check_repeat(ctx: Context, uow: UnitOfWork, official_id: int, year: int,
                       ticket_id: int | None) -> RepeatFlag | None:
    """Flag (and notify the office, once per person and year) at the second valid complaint."""
    person = await uow.officials.get(official_id)
    tickets = await uow.officials.substantiated(official_id, year)
    if person is None or len(tickets) < REPEAT_THRESHOLD:
        return None
    office = await group_of(ctx, uow, TRIAGE)
    if office is not None:
        out = Outgoing(office, "office.repeat_offender", {
            "name": person.name, "post": person.post, "unit": person.unit, "year": year,
            "count": len(tickets), "tickets": tickets})
        t = await uow.tickets.get(ticket_id) if ticket_id is not None else None
        await enqueue(ctx, uow, out, f"office:repeat:{official_id}:{year}", t, "office")
    else:
        log.warning("repeat offender %s (%d) in %d: no office group bound to tell",
                    person.name, official_id, year)
    return RepeatFlag(person, year, tickets)


async def merge(ctx: Context, uow: UnitOfWork, member: StaffMember, keep_id: int,
                other_id: int) -> tuple[Official, list[RepeatFlag]]:
    """Two spellings are one person: `other`'s findings become `keep`'s; flags re-checked."""
    staff.require_office(member, f"merge officials {other_id} into {keep_id}")
    keep, other = await uow.officials.get(keep_id), await uow.officials.get(other_id)
    if keep is None or other is None:
        raise OfficialNotFound(official_id=other_id if keep else keep_id)
    if keep.id == other.id or other.merged_into == keep.id:
        raise NothingChanged()
    assert keep.id is not None and other.id is not None
    await uow.officials.merge(keep.id, other.id)
    log.info("office %s merged official %d (%s) into %d (%s)", member.telegram_id, other.id,
             other.name, keep.id, keep.name)
    flags = [f for y in await uow.officials.years(keep.id)
             if (f := await check_repeat(ctx, uow, keep.id, y, None)) is not None]
    return keep, flags
