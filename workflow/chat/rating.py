"""The complainant rates the answer in their private chat: a button, then maybe a few words.

Buttons carry `r:<ticket id>:<s|b|u|x>` (x = skip the comment or reason). After 满意 /
基本满意 the next text is an optional comment; after 不满意 it is the reason, and the ticket
reopens with it (or without one, whatever the complainant does next). A pending comment ends
with anything else they do, which then goes on to where it belongs.
"""

from __future__ import annotations

from workflow.chat import callbacks
from workflow.chat.messages import Button, Incoming, Response
from workflow.chat.state import IDLE, ChatState, RatingWait
from workflow.context import Context
from workflow.errors import NotYourTicket, RatingClosed, StaleButton
from workflow.model import Ticket, TicketEvent, TicketState
from workflow.ports import UnitOfWork
from workflow.tickets import rating
from workflow.tickets.rating import CODES, UNSATISFIED


def wants(msg: Incoming, state: ChatState | None) -> bool:
    """Is this private update for the rating flow? Anything else ends a pending comment."""
    if msg.kind == "button" and callbacks.kind_of(msg.data) == "rating":
        return True
    wait = state.rating if state is not None else None
    if state is None or wait is None:
        return False
    if msg.kind == "text" or wait.wants == "reason":
        return True
    state.rating = None
    return False


def _skip(t: Ticket) -> list[list[Button]]:
    return [[Button("btn.skip", callbacks.rating(t.id, "x"))]]


async def on_update(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                    resp: Response) -> None:
    if msg.kind == "button" and callbacks.kind_of(msg.data) == "rating":
        await _button(ctx, uow, state, msg, resp)
    else:
        await _text(ctx, uow, state, msg, resp)


async def _ticket(uow: UnitOfWork, ticket_id: int, chat_id: int) -> Ticket:
    t = await uow.tickets.get(ticket_id)
    who = await uow.complainants.by_telegram_id(chat_id)
    if t is None or who is None or t.complainant_id != who.id:
        raise NotYourTicket()
    return t


async def _button(ctx: Context, uow: UnitOfWork, state: ChatState, msg: Incoming,
                  resp: Response) -> None:
    try:
        press = callbacks.parse(msg.data)
    except StaleButton as exc:     # a forged rating button reads as someone else's ticket
        raise NotYourTicket() from exc
    t = await _ticket(uow, press.id, msg.chat_id)
    if press.action == "x":
        if state.rating is None or state.rating.ticket_id != t.id:
            raise RatingClosed(number=t.number)
        resp.answer("ack.ok")
        await _finish_text(ctx, uow, state, t, "", resp)
        return
    if t.state != TicketState.ANSWERED or t.rating:
        raise RatingClosed(number=t.number)
    resp.answer("ack.ok")
    await rating.rate(ctx, uow, t, CODES[press.action])
    free = state.step == IDLE      # never make a filing draft wait behind a comment
    if press.action == "u" and not free:
        await rating.reopen(ctx, uow, t, "", actor="citizen")
        resp.say(msg.chat_id, "rating.reopened_citizen", **rating.ticket_params(t))
    elif press.action == "u":
        state.rating = RatingWait(ticket_id=t.id or 0, wants="reason")
        resp.say(msg.chat_id, "rating.reason_prompt", number=t.number).buttons = _skip(t)
    else:
        out = resp.say(msg.chat_id, "rating.thanks", number=t.number, rating=CODES[press.action])
        if free:
            state.rating = RatingWait(ticket_id=t.id or 0, wants="comment")
            out.buttons = _skip(t)


async def _text(ctx: Context, uow: UnitOfWork, state: ChatState, msg: Incoming,
                resp: Response) -> None:
    ticket_id = state.rating.ticket_id if state.rating else 0
    t = await _ticket(uow, ticket_id, msg.chat_id)
    await _finish_text(ctx, uow, state, t, msg.text.strip() if msg.kind == "text" else "", resp)


async def _finish_text(ctx: Context, uow: UnitOfWork, state: ChatState, t: Ticket, text: str,
                       resp: Response) -> None:
    wait, state.rating = state.rating, None
    if wait is not None and wait.wants == "reason":
        if t.state == TicketState.ANSWERED and t.rating == UNSATISFIED:
            await rating.reopen(ctx, uow, t, text[:2000], actor="citizen")
        resp.say(state.chat_id, "rating.reopened_citizen", **rating.ticket_params(t))
        return
    if text:
        assert t.id is not None
        await uow.events.add(TicketEvent(ticket_id=t.id, kind="rating_comment", at=ctx.now(),
                                         actor="citizen", detail={"comment": text[:2000]}))
    resp.say(state.chat_id, "rating.comment_thanks" if text else "rating.done", number=t.number)
