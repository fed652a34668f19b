"""The complainant rates the answer: 满意 / 基本满意 / 不满意, an optional comment, a reason.

Buttons carry `r:<ticket id>:<s|b|u|x>` (x = skip the comment or reason). 不满意 asks for a
reason, then reopens the ticket for second handling (二次办理) with a fresh answer deadline,
flagged 一案双查, and tells the department and the oversight office. The conversation row
remembers that the next text is a comment or a reason (states rate_comment / rate_reason).
"""

from __future__ import annotations

from workflow.chat.messages import Button, Incoming, Outgoing, Response
from workflow.context import TRIAGE, Context
from workflow.deadlines import schedule
from workflow.desk import cards
from workflow.errors import NotYourTicket, RatingClosed, TicketMoved
from workflow.model import Conversation, LedgerEntry, Ticket, TicketEvent, TicketState
from workflow.outbox.timing import policy_of
from workflow.ports import UnitOfWork
from workflow.tickets.intake import enqueue
from workflow.tickets.routing import group_of

PREFIX = "r"
SATISFIED, BASIC, UNSATISFIED, UNRATED = "satisfied", "basic", "unsatisfied", "unrated"
CODES = {"s": SATISFIED, "b": BASIC, "u": UNSATISFIED}
RATE_COMMENT, RATE_REASON = "rate_comment", "rate_reason"
IDLE = "idle"


def buttons(t: Ticket) -> list[list[Button]]:
    return [[Button("btn.rate_satisfied", f"{PREFIX}:{t.id}:s"),
             Button("btn.rate_basic", f"{PREFIX}:{t.id}:b"),
             Button("btn.rate_unsatisfied", f"{PREFIX}:{t.id}:u")]]


def _skip(t: Ticket) -> list[list[Button]]:
    return [[Button("btn.skip", f"{PREFIX}:{t.id}:x")]]


async def wants(uow: UnitOfWork, msg: Incoming) -> bool:
    """Is this private update for the rating flow? Anything else ends a pending comment."""
    if msg.kind == "button" and msg.data.startswith(PREFIX + ":"):
        return True
    conv = await uow.conversations.get(msg.chat_id)
    if conv is None or conv.state not in (RATE_COMMENT, RATE_REASON):
        return False
    if msg.kind == "text":
        return True
    if conv.state == RATE_REASON:   # the reason was not given: reopen without one
        return True
    conv.state, conv.draft = IDLE, {}
    await uow.conversations.save(conv)
    return False


async def on_update(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    resp = Response()
    conv = await uow.conversations.get(msg.chat_id) or Conversation(chat_id=msg.chat_id)
    if msg.kind == "button" and msg.data.startswith(PREFIX + ":"):
        await _button(ctx, uow, conv, msg, resp)
    else:
        await _text(ctx, uow, conv, msg, resp)
    return resp


async def _ticket(uow: UnitOfWork, ticket_id: int, chat_id: int) -> Ticket:
    t = await uow.tickets.get(ticket_id)
    who = await uow.complainants.by_telegram_id(chat_id)
    if t is None or who is None or t.complainant_id != who.id:
        raise NotYourTicket()
    return t


async def _button(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                  resp: Response) -> None:
    _, ticket_id, code = (msg.data.split(":") + ["", ""])[:3]
    if not ticket_id.isdigit() or code not in (*CODES, "x"):
        raise NotYourTicket()
    t = await _ticket(uow, int(ticket_id), msg.chat_id)
    if code == "x":
        await _skip_pressed(ctx, uow, conv, t, resp)
        return
    if t.state != TicketState.ANSWERED or t.rating:
        raise RatingClosed(number=t.number)
    resp.answer("ack.ok")
    await rate(ctx, uow, t, CODES[code])
    waiting = conv.state in (IDLE, RATE_COMMENT, RATE_REASON)   # never clobber a draft
    if code == "u" and not waiting:
        await reopen(ctx, uow, t, "", actor="citizen")
        resp.say(msg.chat_id, "rating.reopened_citizen", **_params(t))
    elif code == "u":
        _await_text(ctx, conv, t, RATE_REASON)
        resp.say(msg.chat_id, "rating.reason_prompt", number=t.number).buttons = _skip(t)
    else:
        out = resp.say(msg.chat_id, "rating.thanks", number=t.number, rating=CODES[code])
        if waiting:
            _await_text(ctx, conv, t, RATE_COMMENT)
            out.buttons = _skip(t)
    if waiting:
        await uow.conversations.save(conv)


def _await_text(ctx: Context, conv: Conversation, t: Ticket, state: str) -> None:
    conv.state, conv.draft, conv.updated_at = state, {"ticket_id": t.id}, ctx.now()


async def _skip_pressed(ctx: Context, uow: UnitOfWork, conv: Conversation, t: Ticket,
                        resp: Response) -> None:
    if conv.draft.get("ticket_id") != t.id or conv.state not in (RATE_COMMENT, RATE_REASON):
        raise RatingClosed(number=t.number)
    resp.answer("ack.ok")
    await _finish_text(ctx, uow, conv, t, "", resp)


async def _text(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                resp: Response) -> None:
    ticket_id = conv.draft.get("ticket_id")
    t = await _ticket(uow, int(ticket_id or 0), msg.chat_id)
    await _finish_text(ctx, uow, conv, t, msg.text.strip() if msg.kind == "text" else "", resp)


async def _finish_text(ctx: Context, uow: UnitOfWork, conv: Conversation, t: Ticket, text: str,
                       resp: Response) -> None:
    state = conv.state
    conv.state, conv.draft, conv.updated_at = IDLE, {}, ctx.now()
    await uow.conversations.save(conv)
    if state == RATE_REASON:
        if t.state == TicketState.ANSWERED and t.rating == UNSATISFIED:
            await reopen(ctx, uow, t, text[:2000], actor="citizen")
        resp.say(conv.chat_id, "rating.reopened_citizen", **_params(t))
        return
    if text:
        assert t.id is not None
        await uow.events.add(TicketEvent(ticket_id=t.id, kind="rating_comment", at=ctx.now(),
                                         actor="citizen", detail={"comment": text[:2000]}))
    resp.say(conv.chat_id, "rating.comment_thanks" if text else "rating.done", number=t.number)


# ---- state changes (also used by the sweep) -----------------------------------------------

async def _save(uow: UnitOfWork, t: Ticket) -> None:
    t.version += 1
    if not await uow.tickets.save(t):
        raise TicketMoved(number=t.number)


async def rate(ctx: Context, uow: UnitOfWork, t: Ticket, value: str) -> None:
    """满意 / 基本满意 close the ticket; 不满意 waits for the reason (or the window's end)."""
    assert t.id is not None
    now = ctx.now()
    t.rating = value
    if value != UNSATISFIED:
        t.state, t.closed_at = TicketState.CLOSED, now
    await _save(uow, t)
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="rated", at=now, actor="citizen",
                                     detail={"rating": value}))
    await schedule.plan_ticket(ctx, uow, t)
    dept = await group_of(ctx, uow, t.department)
    if dept is not None:
        await enqueue(ctx, uow, Outgoing(dept, "rating.result_dept", {**_params(t),
                                                                      "rating": value}),
                      f"rated:{t.id}:{t.answered_at}:{dept}", t.id, "rated")
        await cards.refresh(ctx, uow, t, dept, f"rated:{t.id}:{t.version}")


async def close_unrated(ctx: Context, uow: UnitOfWork, t: Ticket) -> None:
    """The window passed without a rating: closed as 未评价, the complainant told."""
    assert t.id is not None
    now = ctx.now()
    t.state, t.closed_at, t.rating = TicketState.CLOSED, now, UNRATED
    await _save(uow, t)
    await uow.events.add(TicketEvent(ticket_id=t.id, kind="closed_unrated", at=now,
                                     actor="system"))
    await schedule.plan_ticket(ctx, uow, t)
    chat = await _citizen_chat(uow, t)
    if chat is not None:
        await enqueue(ctx, uow, Outgoing(chat, "rating.closed_unrated", _params(t)),
                      f"unrated:{t.id}:{chat}", t.id, "unrated")
    await cards.refresh(ctx, uow, t, await group_of(ctx, uow, t.department),
                             f"unrated:{t.id}:{t.version}")


async def reopen(ctx: Context, uow: UnitOfWork, t: Ticket, reason: str, actor: str) -> None:
    """二次办理: a fresh answer deadline, 一案双查, the department and the office told."""
    assert t.id is not None
    policy = policy_of(ctx)
    now = ctx.now()
    answered_at = t.answered_at or now
    t.state, t.reopened_at, t.double_check = TicketState.REOPENED, now, True
    if policy is not None:
        t.answer_due = policy.second_handling_due(now, t.category, t.urgent)
    await _save(uow, t)
    await uow.events.add(TicketEvent(
        ticket_id=t.id, kind="reopened", at=now, actor=actor,
        detail={"reason": reason, "answer_due": t.answer_due.isoformat() if t.answer_due else None,
                "double_check": True}))
    await uow.ledger.add([LedgerEntry(ticket_id=t.id, department=t.department,
                                      kind="double_check", deadline=answered_at, at=now,
                                      accountable=t.signed_by)])
    await schedule.plan_ticket(ctx, uow, t)
    await _tell_reopened(ctx, uow, t, reason, actor)


async def _tell_reopened(ctx: Context, uow: UnitOfWork, t: Ticket, reason: str,
                         actor: str) -> None:
    params = {**_params(t), "reason": reason, "handler": t.signed_by,
              "handler_name": await handler_name(uow, t.signed_by)}
    key = f"{t.id}:{t.reopened_at}"
    dept, office = await group_of(ctx, uow, t.department), await group_of(ctx, uow, TRIAGE)
    if dept is not None:
        await enqueue(ctx, uow, Outgoing(dept, "rating.reopened_dept", params),
                      f"reopened:{key}:{dept}", t.id, "reopened")
        await cards.refresh(ctx, uow, t, dept, f"reopened:{key}")   # 答复 buttons again
    if office is not None and office != dept:
        await enqueue(ctx, uow, Outgoing(office, "rating.reopened_office", params),
                      f"reopened:{key}:{office}", t.id, "reopened")
    chat = await _citizen_chat(uow, t)
    if actor == "system" and chat is not None:   # the citizen pressing a button is answered
        await enqueue(ctx, uow, Outgoing(chat, "rating.reopened_citizen", params),
                      f"reopened:{key}:{chat}", t.id, "reopened")


async def handler_name(uow: UnitOfWork, signed_by: int | None) -> str | None:
    """The accountable person as colleagues know them (the staff desk's display name)."""
    member = await uow.staff.by_telegram_id(signed_by) if signed_by is not None else None
    return member.display_name if member else None


async def _citizen_chat(uow: UnitOfWork, t: Ticket) -> int | None:
    chats = await uow.actions.complainant_chats([t.complainant_id])
    return chats.get(t.complainant_id)


def _params(t: Ticket) -> dict[str, object]:
    return {"number": t.number, "department": t.department, "answer_due": t.answer_due,
            "urgent": t.urgent, "double_check": t.double_check}
