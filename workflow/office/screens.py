"""The office group's commands, `/stats` and `/officials`: parse, call one service, render.

They answer in the oversight office's group or in a supervisor's private chat, never in a
department group (the list names officials). Refusals are logged by the desk's checks.
"""

from __future__ import annotations

from workflow.chat.messages import Incoming, Response
from workflow.chat.state import ChatState
from workflow.context import Context
from workflow.desk import staff, views
from workflow.errors import OfficeRoomOnly
from workflow.model import StaffMember
from workflow.office import stats
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

OFFICE_COMMANDS = ("stats", "officials")


def claims(msg: Incoming, state: ChatState | None = None) -> bool:
    return msg.kind == "command" and msg.command in OFFICE_COMMANDS


async def handle(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                 resp: Response) -> None:
    member = await staff.require_member(uow, msg.sender, f"/{msg.command}")
    if msg.command == "stats":
        report = await stats.department_stats(ctx, uow, member, msg.args)
        await _require_office_room(ctx, uow, msg, member)
        resp.messages.extend(await ctx.office_screens.stats(msg.chat_id, report))
    else:
        year, flagged = await stats.flagged_officials(ctx, uow, member, msg.args)
        await _require_office_room(ctx, uow, msg, member)
        resp.messages.append(ctx.office_screens.officials(msg.chat_id, year, flagged))


async def _require_office_room(ctx: Context, uow: UnitOfWork, msg: Incoming,
                               member: StaffMember) -> None:
    """The office's own group or private chat: a department group must not read these."""
    if msg.is_private or await views.chat_department(ctx, uow, msg) == TRIAGE:
        return
    raise staff.refuse(OfficeRoomOnly(), member, f"/{msg.command} in group {msg.chat_id}")
