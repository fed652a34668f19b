"""Most people type their answer to a staff 追问 instead of pressing 回复: it reaches the question.

- A Telegram reply (swipe) to a question message always answers that question, whatever else
  is in progress; to a question answered before, it is relayed as an addition and said so.
- Otherwise, a text or file while one question is open and no draft is in progress answers it.
- With a draft in progress, or several open questions, the message is held and the
  complainant is asked which one they mean; the held message then goes where they point.
The question itself says the next message answers it (templates: relay.question).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from workflow.chat import callbacks, filing, relay
from workflow.chat.messages import Button, Incoming, Response
from workflow.chat.state import IDLE, ChatState, HeldInput
from workflow.context import Context
from workflow.errors import StaleButton
from workflow.model import OutboxMessage, Ticket, TicketEvent
from workflow.ports import UnitOfWork

QUESTION_KEY = "relay.question"       # the template of the message that carries a question
INPUT_KINDS = relay.INPUT_KINDS
MAX_CHOICES = 3                       # open questions offered as buttons, newest first


def is_choice(msg: Incoming, state: ChatState | None) -> bool:
    return msg.kind == "button" and callbacks.kind_of(msg.data) == "meant"


def is_swipe_reply(msg: Incoming, state: ChatState | None) -> bool:
    return state is not None and msg.kind in INPUT_KINDS and msg.reply_to > 0


def may_answer(msg: Incoming, state: ChatState | None) -> bool:
    """Input that is not yet known to be filing (checked against open questions on handling)."""
    return state is not None and msg.kind in INPUT_KINDS and not (
        state.draft is not None and state.step != IDLE and state.draft.beside_questions)


async def on_input(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                   resp: Response) -> None:
    if msg.reply_to and await _answer_replied(ctx, uow, msg, state, resp):
        return
    if state.reply is not None:          # reply mode (回复 pressed): the reply to that question
        await relay.on_input(ctx, uow, msg, state, resp)
        return
    questions = await open_questions(uow, msg.chat_id)
    drafting = state.step != IDLE
    if not questions:
        await filing.on_update(ctx, uow, msg, state, resp)
    elif len(questions) == 1 and not drafting:
        assert questions[0].id is not None
        await relay.deliver(ctx, uow, msg, questions[0].id, resp, "relay.typed_reply_sent")
    else:
        _ask_which(msg, state, questions, drafting, resp)


async def on_choice(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                    resp: Response) -> None:
    """The complainant pointed at a question (a:<ticket>) or at filing (a:draft / a:new)."""
    press = callbacks.parse(msg.data)
    held, state.held = state.held, None
    if held is None:
        raise StaleButton()
    resp.answer("ack.ok")
    typed = dataclasses.replace(msg, kind=held.kind, text=held.text, file_id=held.file_id,  # type: ignore[arg-type]
                                file_unique_id=held.file_unique_id, file_name=held.file_name,
                                latitude=held.latitude, longitude=held.longitude,
                                duration=held.duration, file_size=held.file_size, data="")
    if press.action == "question":
        await relay.deliver(ctx, uow, typed, press.id, resp)
        return
    await filing.on_update(ctx, uow, typed, state, resp)
    if state.step != IDLE:
        state.filing.beside_questions = True


async def open_questions(uow: UnitOfWork, chat_id: int) -> list[Ticket]:
    """The complainant's tickets in hand at a department whose last question has no reply."""
    who = await uow.complainants.by_telegram_id(chat_id)
    if who is None or who.id is None:
        return []
    found = []
    for t in await uow.tickets.for_complainant(who.id):
        if t.state in relay.OPEN and t.id is not None \
                and _unanswered(await uow.events.for_ticket(t.id)) is not None:
            found.append(t)
    return found


def _unanswered(events: list[TicketEvent], row: OutboxMessage | None = None
                ) -> TicketEvent | None:
    """The last question (or the one `row` carried) if no reply came after it.

    Events are ordered by time, then id: a test clock (or one transaction) gives equal times.
    """
    asked = [e for e in events if e.kind == "question"]
    if row is not None:
        text = row.payload.get("params", {}).get("question")
        asked = [e for e in asked if e.at <= row.created_at and e.detail.get("text") == text]
    if not asked:
        return None
    last = max(asked, key=_order)
    replied = any(e.kind == "citizen_reply" and _order(e) > _order(last) for e in events)
    return None if replied else last


def _order(e: TicketEvent) -> tuple[datetime, int]:
    return e.at, e.id or 0


async def _answer_replied(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                          resp: Response) -> bool:
    """A reply to a question message answers it; False when it points at anything else."""
    row = await uow.outbox.by_message(msg.chat_id, msg.reply_to)
    if row is None or row.ticket_id is None or row.payload.get("key") != QUESTION_KEY:
        return False
    t = await relay.own_ticket(uow, msg.chat_id, row.ticket_id)   # refuses a closed ticket
    assert t.id is not None
    events = await uow.events.for_ticket(t.id)
    fresh = _unanswered(events, row) is not None
    await relay.deliver(ctx, uow, msg, t.id, resp,
                        "relay.reply_sent" if fresh else "relay.reply_added")
    if state.reply is not None and state.reply.ticket_id == t.id:
        state.reply = None
    return True


def _ask_which(msg: Incoming, state: ChatState, questions: list[Ticket], drafting: bool,
               resp: Response) -> None:
    state.held = HeldInput(kind=msg.kind, text=msg.text, file_id=msg.file_id,
                           file_unique_id=msg.file_unique_id, file_name=msg.file_name,
                           latitude=msg.latitude, longitude=msg.longitude,
                           duration=msg.duration, file_size=msg.file_size)
    buttons = [[Button("btn.meant.question", callbacks.meant(t.id), params={"number": t.number})]
               for t in questions[:MAX_CHOICES]]
    buttons.append([Button("btn.meant.draft", callbacks.meant("draft")) if drafting
                    else Button("btn.meant.new", callbacks.meant("new"))])
    resp.say(msg.chat_id, "answers.which", drafting=drafting,
             numbers=[t.number for t in questions[:MAX_CHOICES]]).buttons = buttons
