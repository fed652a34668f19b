"""Department groups: one-time invite codes and `/bind CODE` in the group."""

from __future__ import annotations

import secrets
from datetime import timedelta

from workflow.chat.messages import Incoming, Response
from workflow.context import Context
from workflow.desk import cards
from workflow.errors import ExpiredInviteCode, InvalidInviteCode, UnknownDepartment, UsedInviteCode
from workflow.model import GroupBinding, InviteCode, TicketState
from workflow.ports import UnitOfWork

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I: codes are typed by hand
CODE_LENGTH = 10


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def create_group_invite(ctx: Context, department: str) -> InviteCode:
    if department not in ctx.departments:
        raise UnknownDepartment(department=department, known=", ".join(ctx.departments))
    now = ctx.now()
    invite = InviteCode(code=new_code(), purpose="group", department=department, created_at=now,
                        expires_at=now + timedelta(hours=ctx.rules.invite_ttl_hours))
    async with ctx.uow() as uow:
        await uow.invites.add(invite)
        await uow.commit()
    return invite


async def bind(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    code = msg.args.strip().upper()
    if not code:
        resp.say(msg.chat_id, "group.bind_usage")
        return
    now = ctx.now()
    invite = await uow.invites.get(code)
    if invite is None or invite.purpose != "group":
        raise InvalidInviteCode(code=code)
    if invite.used_at is not None:
        raise UsedInviteCode(code=code)
    if invite.expires_at <= now:
        raise ExpiredInviteCode(code=code, expired_at=invite.expires_at)
    user_id = msg.sender.id if msg.sender else 0
    if not await uow.invites.use(code, user_id, now):
        raise UsedInviteCode(code=code)
    await uow.bindings.bind(GroupBinding(department=invite.department, chat_id=msg.chat_id,
                                         bound_at=now, bound_by=user_id, title=msg.chat_title))
    backlog = await deliver_backlog(ctx, uow, invite.department, msg.chat_id)
    resp.say(msg.chat_id, "group.bound", department=invite.department, backlog=backlog)


async def deliver_backlog(ctx: Context, uow: UnitOfWork, department: str, chat_id: int) -> int:
    """Cards of open tickets that waited for this group (dedupe keys stop double sending)."""
    sent = 0
    for t in await uow.tickets.open_for_department(department):
        if t.state in (TicketState.ROUTED, TicketState.TRIAGE):
            await cards.queue(ctx, uow, t, chat_id)
            sent += 1
    return sent
