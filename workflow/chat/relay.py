"""The complainant's side of 追问: pressing 回复 under a relayed question, then one reply.

Reply mode is its own part of the chat state, so a filing draft in progress survives.
Only the complainant of the ticket can reply (checked again at every step); the department
group gets the text or the file re-sent by file_id, never who sent it.
"""

from __future__ import annotations

import logging
from typing import Any

from workflow.chat import callbacks, evidence
from workflow.chat.evidence import map_link
from workflow.chat.messages import Button, Incoming, Media, Outgoing, Response
from workflow.chat.state import ChatState, QuestionReply
from workflow.context import Context
from workflow.desk import actions
from workflow.errors import NotYourTicket, TicketMoved
from workflow.model import Ticket, TicketEvent, TicketState
from workflow.outbox.queue import enqueue
from workflow.ports import UnitOfWork
from workflow.tickets.routing import group_of

log = logging.getLogger("zhiyong.relay")

OPEN = (TicketState.SIGNED, TicketState.REOPENED)
INPUT_KINDS = ("text", "photo", "document", "voice", "location")   # what can answer a 追问


def is_reply_button(msg: Incoming, state: ChatState | None) -> bool:
    return msg.kind == "button" and callbacks.kind_of(msg.data) == "reply"


def wants(msg: Incoming, state: ChatState | None) -> bool:
    """In reply mode the next text or file (or /cancel) is the reply."""
    return state is not None and state.reply is not None and (
        msg.kind in INPUT_KINDS
        or (msg.kind == "command" and msg.command == "cancel"))


async def own_ticket(uow: UnitOfWork, chat_id: int, ticket_id: int) -> Ticket:
    """The ticket if this chat filed it and it still takes replies; refusals are logged."""
    t = await uow.tickets.get(ticket_id)
    who = await uow.complainants.by_telegram_id(chat_id)
    if t is None or who is None or t.complainant_id != who.id:
        log.warning("refused reply by chat %s to ticket %s: not theirs", chat_id, ticket_id)
        raise NotYourTicket()
    if t.state not in OPEN:
        raise TicketMoved(number=t.number, state=t.state)
    return t


async def on_button(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                    resp: Response) -> None:
    """`q:<ticket_id>` starts reply mode; `q:cancel` leaves it."""
    press = callbacks.parse(msg.data)
    if press.action == "cancel":
        resp.answer("ack.ok")
        cancel(state, resp)
        return
    t = await own_ticket(uow, msg.chat_id, press.id)
    assert t.id is not None
    state.reply = QuestionReply(ticket_id=t.id, number=t.number)
    resp.answer("ack.ok")
    resp.say(state.chat_id, "relay.reply_prompt", number=t.number).buttons = [
        [Button("btn.cancel", callbacks.REPLY_CANCEL)]]


def cancel(state: ChatState, resp: Response) -> None:
    mode, state.reply = state.reply, None
    resp.say(state.chat_id, "relay.reply_cancelled", number=mode.number if mode else "")


async def on_input(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                   resp: Response) -> None:
    if msg.kind == "command" or state.reply is None:
        cancel(state, resp)
        return
    await deliver(ctx, uow, msg, state.reply.ticket_id, resp)
    state.reply = None


async def _asker(uow: UnitOfWork, ticket_id: int) -> dict[str, Any]:
    """Who asked the last question, to mention them in the group (staff see staff)."""
    asked = [e for e in await uow.events.for_ticket(ticket_id) if e.kind == "question"]
    if not asked:
        return {}
    who, _, tid = asked[-1].actor.partition(":")
    return {"asker": str(asked[-1].detail.get("name", "")),
            "asker_id": int(tid) if who in ("staff", "office") and tid.isdigit() else 0}


async def deliver(ctx: Context, uow: UnitOfWork, msg: Incoming, ticket_id: int,
                  resp: Response, key: str = "relay.reply_sent") -> Ticket:
    """Relay the complainant's text or file to the department's group as the reply."""
    t = await own_ticket(uow, msg.chat_id, ticket_id)
    assert t.id is not None
    text = msg.text.strip()
    if msg.kind == "text":
        text = actions.check_text(ctx, text, ctx.rules.max_description_chars)
    elif msg.kind in ("voice", "location"):
        text = evidence.attachment(msg)["caption"]     # refuses a 0 s voice, a bad location
    dedupe = f"relay:{msg.update_id}"
    await uow.events.add(TicketEvent(
        ticket_id=t.id, kind="citizen_reply", at=ctx.now(), actor="citizen",
        detail={"text": text, "file_id": msg.file_id, "file_kind": msg.kind}))
    chat = await group_of(ctx, uow, t.department)
    if chat is not None:
        params = {"number": t.number, "text": text, **await _asker(uow, t.id)}
        if msg.kind == "text":
            out = Outgoing(chat, "relay.reply_group", params, thread_card_of=t.id)
        elif msg.kind == "location":
            params.update(text="", location=map_link(text) or "")
            out = Outgoing(chat, "relay.reply_group", params, thread_card_of=t.id)
        else:
            kind: Any = msg.kind if msg.kind in ("photo", "voice") else "document"
            out = Outgoing(chat, "relay.reply_file", params, thread_card_of=t.id,
                           media=Media(kind, msg.file_id))
        await enqueue(ctx, uow, out, f"{dedupe}:{chat}", t, "relay")
    resp.say(msg.chat_id, key, number=t.number)
    return t
