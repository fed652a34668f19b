"""A complainant the office blocked is told once, politely, how to appeal; then not answered.

Checked for every private update that is not the staff desk (a flag read with the chat's
conversation; the block itself only when there is one). `/appeal 说明` is the one thing a
blocked person can still do, once per block: the office group gets it under the ticket
number, never who sent it. Unblocked (workflow.desk.blocks), everything
works again.
"""

from __future__ import annotations

from workflow.chat.messages import Incoming, Outgoing, Response
from workflow.context import Context
from workflow.desk import actions
from workflow.model import ComplainantBlock, TicketEvent
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets.routing import group_of

MAX_APPEAL = 1000


async def turned_away(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> bool:
    """True when the sender is blocked (the reply, if any, is in `resp`)."""
    b = await uow.blocks.active_for_chat(msg.chat_id)
    if b is None:
        return False
    if msg.kind == "command" and msg.command == "appeal":
        await _appeal(ctx, uow, msg, b, resp)
    elif b.told_at is None:
        b.told_at = ctx.now()
        await uow.blocks.save(b)
        resp.say(msg.chat_id, "blocked.notice")
        if msg.kind == "button":
            resp.answer("blocked.short", alert=True)
    elif msg.kind == "button":
        resp.answer("blocked.short", alert=True)   # a pressed button must be answered
    return True


async def _appeal(ctx: Context, uow: UnitOfWork, msg: Incoming, b: ComplainantBlock,
                  resp: Response) -> None:
    if b.appealed_at is not None:
        resp.say(msg.chat_id, "blocked.appeal_already")
        return
    text = msg.args.strip()
    if not text:
        resp.say(msg.chat_id, "blocked.appeal_usage")
        return
    text = actions.check_text(ctx, text, MAX_APPEAL)
    t = await uow.tickets.get(b.ticket_id)
    b.appeal, b.appealed_at, b.told_at = text, ctx.now(), b.told_at or ctx.now()
    await uow.blocks.save(b)
    office = await group_of(ctx, uow, TRIAGE)
    if t is not None and t.id is not None:
        await uow.events.add(TicketEvent(ticket_id=t.id, kind="block_appealed", at=ctx.now(),
                                         actor="citizen", detail={"text": text}))
        if office is not None:
            out = Outgoing(office, "desk.block_appeal", {
                "number": t.number, "text": text, "reason": b.reason,
                "blocked_at": b.blocked_at})
            await enqueue(ctx, uow, out, f"appeal:{msg.update_id}:{office}", t, "desk")
    resp.say(msg.chat_id, "blocked.appeal_sent")
