"""Ticket cards at the desk: which buttons a card shows, and re-rendering it after a change.

Buttons carry `t:<action>:<ticket_id>` only; what an action may do is decided again on the
server when it is pressed (workflow.desk.actions), so the buttons are a convenience, not a permission.
A card is edited in place (outbox row with edit_message_id) when its message id is known.
"""

from __future__ import annotations

from workflow.chat.messages import CARD_KINDS, Outgoing
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.desk.buttons import buttons
from workflow.model import Ticket
from workflow.ports import UnitOfWork
from workflow.tickets import intake
from workflow.tickets.routing import group_of

EDIT_TEXT_CHARS = 2500      # leaves room for the card's other lines within Telegram's 4096


async def desk_card(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int) -> Outgoing:
    """The full card: the lead's card plus the accountable person and the action buttons."""
    assert t.id is not None
    out = intake.card(t, chat_id, len(await uow.attachments.for_ticket(t.id)))
    out.params.update(schedule.deadlines_of(ctx, t))   # the same deadline lines as the first card
    if t.signed_by is not None:
        member = await uow.staff.by_telegram_id(t.signed_by)
        out.params["accountable"] = member.display_name if member else str(t.signed_by)
        out.params["signed_at"] = t.signed_at
    out.buttons = buttons(ctx, t)
    return out


async def refresh(ctx: Context, uow: UnitOfWork, t: Ticket, chat_id: int | None,
                  dedupe: str) -> None:
    """Re-render the card in `chat_id`: edit the sent card, or send a new one if none is known."""
    if chat_id is None or t.id is None:
        return
    out = await desk_card(ctx, uow, t, chat_id)
    if t.department != await _department_of_chat(ctx, uow, chat_id):
        out.buttons = []          # the ticket has left this group: the old card loses its buttons
        out.params["moved_to"] = t.department
    last = await uow.outbox.last_sent(t.id, chat_id, CARD_KINDS)
    if last is not None and last.message_id is not None:
        out.edit_message_id = last.message_id
    elif await uow.outbox.has_unsent(t.id, chat_id, CARD_KINDS):
        out.edit_card_of = t.id   # the card is still on its way: edit it once it is sent
    elif out.params.get("moved_to"):
        return
    else:
        await intake.enqueue(ctx, uow, out, f"{dedupe}:card:{chat_id}", t.id, "card")
        return
    _fit_one_message(out)
    await intake.enqueue(ctx, uow, out, f"{dedupe}:edit:{chat_id}", t.id, "card_edit")


def _fit_one_message(out: Outgoing) -> None:
    """An edit replaces one message: a long complaint is cut (the full text is in /ticket)."""
    text = str(out.params.get("text", ""))
    if len(text) > EDIT_TEXT_CHARS:
        out.params["text"] = text[:EDIT_TEXT_CHARS]
        out.params["text_cut"] = len(text) - EDIT_TEXT_CHARS


async def send_new(ctx: Context, uow: UnitOfWork, t: Ticket, dedupe: str) -> None:
    """The ticket arrives in (another) department's group: a fresh card and its attachments."""
    chat = await group_of(ctx, uow, t.department)
    if chat is None or t.id is None:
        return  # delivered by the lead's deliver_backlog() once that group is bound
    await intake.queue_card(ctx, uow, t, chat, await desk_card(ctx, uow, t, chat), key=dedupe)


async def _department_of_chat(ctx: Context, uow: UnitOfWork, chat_id: int) -> str | None:
    binding = await uow.bindings.for_chat(chat_id)
    if binding is not None:
        return binding.department
    return next((d for d, c in ctx.departments.items() if c == chat_id), None)
