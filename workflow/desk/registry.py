"""Every staff action on a ticket card, one entry each: who may, in which states, what the
private dialog asks, and how it is performed.

A new button is one entry here, one function in workflow.desk.actions, its place on the card
(workflow.desk.cards) and its texts (`btn.desk.<name>`, `desk.done.<name>` or its toast).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from workflow.context import Context
from workflow.desk import access, actions, staff
from workflow.errors import AlreadySigned, StaleButton, TicketMoved, WrongDepartment
from workflow.model import StaffMember, Ticket, TicketState
from workflow.office import triage
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

S = TicketState
RETURN_REASONS = ("territory", "function", "info", "other")


@dataclass(frozen=True)
class Input:
    """What the private dialog collected (nothing for a one-press action)."""

    values: dict[str, str] = field(default_factory=dict)
    parts: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)


Perform = Callable[[Context, UnitOfWork, StaffMember, Ticket, str, Input],
                   Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Action:
    states: tuple[str, ...]
    perform: Perform
    office: bool = False          # only the oversight office may do it
    office_too: bool = False      # department staff and the office (notes)
    dialog: tuple[str, ...] = ()  # steps of the private dialog before it is performed
    toast: str = ""               # a one-press action answers the press with this key


async def _sign(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                i: Input) -> dict[str, Any]:
    await actions.sign(ctx, uow, m, t, key)
    return {"number": t.number}


async def _must(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                i: Input) -> dict[str, Any]:
    department = await actions.must_handle(ctx, uow, m, t, key)
    return {"number": t.number, "department": department}


async def _return(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                  i: Input) -> dict[str, Any]:
    await actions.return_ticket(ctx, uow, m, t, key, i.values["reason_code"],
                                i.values.get("reason", ""))
    await triage.queue(ctx, uow, t, key)     # the office's triage card, with the reason
    return {}


async def _transfer(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                    i: Input) -> dict[str, Any]:
    await actions.transfer(ctx, uow, m, t, key, i.values["department"], i.values["reason"])
    return {"department": i.values["department"]}


async def _reroute(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                   i: Input) -> dict[str, Any]:
    await actions.reroute(ctx, uow, m, t, key, i.values["department"])
    return {"department": i.values["department"]}


async def _extend(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                  i: Input) -> dict[str, Any]:
    await actions.request_extension(ctx, uow, m, t, key, i.values["reason"],
                                    datetime.fromisoformat(i.values["due"]))
    return {}


async def _ask(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
               i: Input) -> dict[str, Any]:
    await actions.ask(ctx, uow, m, t, key, i.values["text"])
    return {}


async def _note(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                i: Input) -> dict[str, Any]:
    await actions.note(ctx, uow, m, t, key, i.values["text"])
    return {}


async def _answer(ctx: Context, uow: UnitOfWork, m: StaffMember, t: Ticket, key: str,
                  i: Input) -> dict[str, Any]:
    await actions.answer(ctx, uow, m, t, key, "\n".join(i.parts), i.files)
    return {}


ACTIONS: dict[str, Action] = {
    "sign": Action((S.ROUTED,), _sign, toast="desk.signed_ok"),
    "return": Action((S.ROUTED, S.SIGNED), _return, dialog=("reason_choice",)),
    "transfer": Action((S.ROUTED, S.SIGNED), _transfer, dialog=("department", "reason_text")),
    "extend": Action((S.SIGNED, S.REOPENED), _extend, dialog=("reason_text", "date")),
    "ask": Action((S.SIGNED, S.REOPENED), _ask, dialog=("text",)),
    "note": Action((S.ROUTED, S.SIGNED, S.TRIAGE, S.REOPENED, S.ANSWERED), _note,
                   office_too=True, dialog=("text",)),
    "answer": Action((S.SIGNED, S.REOPENED), _answer, dialog=("answer",)),
    "reroute": Action((S.ROUTED, S.TRIAGE), _reroute, office=True, dialog=("department",)),
    "must": Action((S.TRIAGE,), _must, office=True, toast="desk.ruled_ok"),
}


def spec(action: str) -> Action:
    """The entry of an action named by a button; an unknown name is a stale or forged button."""
    found = ACTIONS.get(action)
    if found is None:
        raise StaleButton()
    return found


async def authorise(ctx: Context, uow: UnitOfWork, member: StaffMember, action: str,
                    ticket_id: int) -> Ticket:
    """The ticket, freshly read, if `member` may do `action` on it now; a UserError if not."""
    entry = spec(action)
    t = await uow.tickets.get(ticket_id)
    if t is None:
        raise staff.refuse(StaleButton(), member, f"{action} on missing ticket {ticket_id}")
    what = f"{action} on {t.number}"
    if entry.office:
        staff.require_office(member, what)
        if t.department != TRIAGE:
            raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, what)
    elif entry.office_too:
        staff.require_department(member, t.department, what)
    elif member.department != t.department:
        # department actions belong to the department: even the office cannot sign for it
        raise staff.refuse(WrongDepartment(department=t.department), member, what)
    if action == "sign" and t.state == S.SIGNED and t.signed_by is not None:
        raise staff.refuse(AlreadySigned(number=t.number,
                                         name=await staff.name_of(uow, t.signed_by)),
                           member, what)
    if t.state not in entry.states:
        raise staff.refuse(TicketMoved(number=t.number, state=t.state), member, what)
    if action in ("return", "transfer"):
        await access.may_pass_on(ctx, uow, member, t, action)
    if action == "extend":
        access.before_answer_due(ctx, member, t)
    return t
