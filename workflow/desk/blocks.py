"""`/block ZY-… 理由` and `/unblock ZY-… [理由]`: the office stops (and lets again) the person
behind a ticket from using the bot, without ever seeing who that is. `/decline ZY-… [理由]`
turns down their appeal: they are told, and the history says who decided and when.

Supervisors only, in the office group or their private chat (never in a department group).
Each block is a row with who and why (and later who lifted it); the ticket's history says so
too. The blocked person is turned away by workflow.chat.blocked, told once how to appeal.
"""

from __future__ import annotations

import logging

from workflow.chat.messages import Incoming, Outgoing, Response
from workflow.context import Context
from workflow.desk import staff, views
from workflow.errors import (
    AlreadyBlocked,
    AppealAlreadyDeclined,
    BlockHere,
    NoAppeal,
    NotBlocked,
    TicketNotFound,
)
from workflow.model import ComplainantBlock, StaffMember, Ticket, TicketEvent
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

log = logging.getLogger("zhiyong.blocks")

COMMANDS = ("block", "unblock", "decline")
MAX_REASON = 500


async def handle(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    member = await staff.require_member(uow, msg.sender, f"/{msg.command}")
    staff.require_office(member, f"/{msg.command}")
    if not msg.is_private and await views.chat_department(ctx, uow, msg) != TRIAGE:
        raise staff.refuse(BlockHere(), member, f"/{msg.command} in chat {msg.chat_id}")
    number, _, reason = msg.args.strip().partition(" ")
    reason = reason.strip()
    if not number or (msg.command == "block" and not reason):
        resp.say(msg.chat_id, f"desk.{msg.command}_usage")
        return
    t = await uow.tickets.by_number(number.upper())
    if t is None:
        raise TicketNotFound(number=number.upper()[:40])
    reason = reason[:MAX_REASON]
    if msg.command == "block":
        await block(ctx, uow, member, t, reason, msg, resp)
    elif msg.command == "decline":
        await decline(ctx, uow, member, t, reason, msg, resp)
    else:
        await unblock(ctx, uow, member, t, reason, msg, resp)


async def block(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, reason: str,
                msg: Incoming, resp: Response) -> None:
    assert t.id is not None
    current = await uow.blocks.active(t.complainant_id)
    if current is not None:
        raise AlreadyBlocked(number=t.number, reason=current.reason,
                             name=await staff.name_of(uow, current.blocked_by),
                             blocked_at=current.blocked_at)
    await uow.blocks.add(ComplainantBlock(
        complainant_id=t.complainant_id, ticket_id=t.id, reason=reason,
        blocked_by=member.telegram_id, blocked_at=ctx.now()))
    await _event(ctx, uow, t, member, "complainant_blocked", reason)
    log.info("complainant of %s blocked by %s", t.number, member.telegram_id)
    resp.say(msg.chat_id, "desk.blocked", number=t.number, reason=reason)


async def unblock(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, reason: str,
                  msg: Incoming, resp: Response) -> None:
    current = await uow.blocks.active(t.complainant_id)
    if current is None:
        raise NotBlocked(number=t.number)
    current.lifted_by, current.lifted_at, current.lift_reason = \
        member.telegram_id, ctx.now(), reason
    await uow.blocks.save(current)
    await _event(ctx, uow, t, member, "complainant_unblocked", reason)
    log.info("complainant of %s unblocked by %s", t.number, member.telegram_id)
    if current.told_at is not None:     # they know they were blocked: tell them it is over
        who = await uow.complainants.get(t.complainant_id)
        if who is not None:
            await enqueue(ctx, uow, Outgoing(who.telegram_id, "blocked.lifted_citizen", {}),
                          f"unblock:{msg.update_id}", t, "citizen")
    resp.say(msg.chat_id, "desk.unblocked", number=t.number)


async def decline(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket, reason: str,
                  msg: Incoming, resp: Response) -> None:
    """The block stays; the person who appealed hears so (once per appeal)."""
    current = await uow.blocks.active(t.complainant_id)
    if current is None:
        raise NotBlocked(number=t.number)
    if current.appealed_at is None:
        raise NoAppeal(number=t.number)
    done = await _declined(uow, current)
    if done is not None:
        raise AppealAlreadyDeclined(number=t.number, name=done.detail.get("name", ""),
                                    declined_at=done.at)
    await _event(ctx, uow, t, member, "appeal_declined", reason)
    log.info("appeal of the complainant of %s declined by %s", t.number, member.telegram_id)
    who = await uow.complainants.get(t.complainant_id)
    if who is not None:
        await enqueue(ctx, uow, Outgoing(who.telegram_id, "blocked.appeal_declined",
                                         {"reason": reason}),
                      f"decline:{msg.update_id}", t, "citizen")
    resp.say(msg.chat_id, "desk.appeal_declined", number=t.number,
             name=member.display_name, declined_at=ctx.now())


async def _declined(uow: UnitOfWork, b: ComplainantBlock) -> TicketEvent | None:
    """The decision on this block's appeal, if the office already turned it down."""
    assert b.appealed_at is not None
    return next((e for e in await uow.events.for_ticket(b.ticket_id)
                 if e.kind == "appeal_declined" and e.at >= b.appealed_at), None)


async def _event(ctx: Context, uow: UnitOfWork, t: Ticket, member: StaffMember, kind: str,
                 reason: str) -> None:
    assert t.id is not None
    await uow.events.add(TicketEvent(ticket_id=t.id, kind=kind, at=ctx.now(),
                                     actor=staff.actor_tag(member),
                                     detail={"name": member.display_name, "reason": reason}))
