"""Multi-step desk actions as a short private dialog with the staff member.

The dialog is its own part of the person's chat state (a filing draft of the same person is
kept), bound to a token so buttons of an older dialog are refused. When the last step is
done the ticket and the person are checked again before anything changes.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from workflow.chat import callbacks
from workflow.chat.messages import Button, Incoming, Outgoing, Response
from workflow.chat.state import ChatState, DeskDialog, new_token
from workflow.context import Context
from workflow.desk import actions, registry, staff
from workflow.errors import BadDate, EmptyInput, InputTooLong, StaleButton, UserError
from workflow.model import Ticket
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE

MAX_FILES = 10
_DATE = re.compile(r"^\s*(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?\s*$")


def wants(msg: Incoming, state: ChatState | None) -> bool:
    """An open dialog takes text, files, /cancel and its own buttons; the rest goes on."""
    return state is not None and state.dialog is not None and (
        msg.kind in ("text", "photo", "document")
        or (msg.kind == "command" and msg.command == "cancel")
        or (msg.kind == "button" and callbacks.kind_of(msg.data) == "dialog"))


def is_stale_button(msg: Incoming, state: ChatState | None) -> bool:
    """A button of a dialog that already ended."""
    return msg.kind == "button" and callbacks.kind_of(msg.data) == "dialog"


async def stale(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                resp: Response) -> None:
    raise StaleButton()


# ---- start --------------------------------------------------------------------------------

def start(ctx: Context, state: ChatState, t: Ticket, action: str, resp: Response) -> None:
    """Open (or replace) the dialog for `action` on `t` and ask the first question."""
    assert t.id is not None
    kind, _, returned_from = t.routing_note.partition(":")
    state.dialog = DeskDialog(token=new_token(), action=action, ticket_id=t.id, number=t.number,
                              from_department=t.department,
                              returned_from=returned_from if kind == "returned" else "")
    resp.messages.append(prompt(ctx, state.chat_id, state.dialog))


def _b(d: DeskDialog, key: str, kind: str, value: str = "", **params: str) -> Button:
    return Button(key, callbacks.dialog(d.token, kind, value), params=params)


def _step(d: DeskDialog) -> str:
    return registry.spec(d.action).dialog[d.step] if d.step >= 0 else "reason_text"


def _not_offered(d: DeskDialog) -> tuple[str, ...]:
    return (TRIAGE, d.from_department, d.returned_from)


def prompt(ctx: Context, chat_id: int, d: DeskDialog) -> Outgoing:
    step = _step(d)
    cancel = [_b(d, "btn.cancel", "cancel")]
    params: dict[str, object] = {"number": d.number, "action": d.action}
    if step == "reason_choice":
        rows = [[_b(d, f"btn.desk.reason.{r}", "reason", r)] for r in registry.RETURN_REASONS]
        return Outgoing(chat_id, "desk.ask_reason", params, buttons=[*rows, cancel])
    if step == "department":
        choices = [x for x in ctx.departments if x not in _not_offered(d)]
        buttons = [_b(d, "btn.desk.department", "dept", x, department=x) for x in choices]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        params["returned_from"] = d.returned_from
        return Outgoing(chat_id, "desk.ask_department", params, buttons=[*rows, cancel])
    if step == "answer":
        params.update(chars=sum(len(p) for p in d.parts), files=len(d.files))
        return Outgoing(chat_id, "desk.ask_answer", params,
                        buttons=[[_b(d, "btn.desk.submit", "submit")], cancel])
    return Outgoing(chat_id, f"desk.ask_{step}", params, buttons=[cancel])


# ---- input --------------------------------------------------------------------------------

async def on_input(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                   resp: Response) -> None:
    d = state.dialog
    assert d is not None
    if msg.kind == "command":
        cancel(state, resp)
        return
    if msg.kind == "button":
        await _button(ctx, uow, state, d, msg, resp)
        return
    step = _step(d)
    if msg.kind in ("photo", "document"):
        _file(ctx, state, d, msg, step, resp)
        return
    text = msg.text.strip()
    if not text:
        raise EmptyInput()
    if step == "answer":
        _add_part(ctx, state, d, text, resp)
    elif step == "reason_choice":
        d.values.update(reason_code="other", reason=actions.check_text(ctx, text, 2000))
        await _finish(ctx, uow, state, d, msg, resp)
    elif step == "department":
        again = prompt(ctx, state.chat_id, d)
        again.key = "desk.use_buttons"
        resp.messages.append(again)
    elif step == "date":
        d.values["due"] = parse_due(ctx, text).isoformat()
        await _advance(ctx, uow, state, d, msg, resp)
    else:
        d.values["reason" if step == "reason_text" else "text"] = actions.check_text(ctx, text)
        await _advance(ctx, uow, state, d, msg, resp)


async def _button(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                  msg: Incoming, resp: Response) -> None:
    press = callbacks.parse(msg.data)
    if press.token != d.token:
        raise StaleButton()
    kind, value, step = press.action, press.value, _step(d)
    resp.answer("ack.ok")
    if kind == "cancel":
        cancel(state, resp)
    elif kind == "reason" and step == "reason_choice" and value in registry.RETURN_REASONS:
        d.values["reason_code"] = value
        if value == "other":
            d.step = -1     # one more step: the reason in the staff member's words
            resp.messages.append(prompt(ctx, state.chat_id, d))
        else:
            await _finish(ctx, uow, state, d, msg, resp)
    elif kind == "dept" and step == "department" and value in ctx.departments \
            and value not in _not_offered(d):
        d.values["department"] = value
        await _advance(ctx, uow, state, d, msg, resp)
    elif kind == "submit" and step == "answer":
        if not d.parts:
            raise EmptyInput()
        await _finish(ctx, uow, state, d, msg, resp)
    else:
        raise StaleButton()


def _file(ctx: Context, state: ChatState, d: DeskDialog, msg: Incoming, step: str,
          resp: Response) -> None:
    if step != "answer":
        resp.say(state.chat_id, "desk.text_only")
        return
    if len(d.files) >= MAX_FILES:
        resp.say(state.chat_id, "desk.too_many_files", max=MAX_FILES)
        return
    d.files.append({"kind": msg.kind, "file_id": msg.file_id})
    if msg.text.strip():
        d.parts.append(msg.text.strip())
    resp.messages.append(prompt(ctx, state.chat_id, d))


def _add_part(ctx: Context, state: ChatState, d: DeskDialog, text: str, resp: Response) -> None:
    total = sum(len(p) for p in d.parts) + len(text)
    if total > ctx.desk.max_answer_chars:
        raise InputTooLong(max=ctx.desk.max_answer_chars, chars=total)
    d.parts.append(text)
    resp.messages.append(prompt(ctx, state.chat_id, d))


async def _advance(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                   msg: Incoming, resp: Response) -> None:
    steps = registry.spec(d.action).dialog
    if d.step >= 0 and d.step + 1 < len(steps):
        d.step += 1
        resp.messages.append(prompt(ctx, state.chat_id, d))
        return
    await _finish(ctx, uow, state, d, msg, resp)


def parse_due(ctx: Context, text: str) -> datetime:
    m = _DATE.match(text)
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        day = None
    if day is None:
        raise BadDate(text=text[:40])
    return ctx.deadlines.calendar.closing(day)   # the end of that working day, as configured


def cancel(state: ChatState, resp: Response) -> None:
    d, state.dialog = state.dialog, None
    resp.say(state.chat_id, "desk.dialog_cancelled", number=d.number if d else "")


# ---- finish -------------------------------------------------------------------------------

async def _finish(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                  msg: Incoming, resp: Response) -> None:
    """Check person and ticket again; a refusal ends the dialog, bad input lets them retry."""
    try:
        member = await staff.require_member(uow, msg.sender, f"finish {d.action}")
        t = await registry.authorise(ctx, uow, member, d.action, d.ticket_id)
    except UserError as err:
        state.dialog = None
        resp.say(state.chat_id, err.key, **err.params)
        return
    done = registry.Input(values=dict(d.values), parts=list(d.parts), files=list(d.files))
    said = await registry.spec(d.action).perform(ctx, uow, member, t, f"desk:{msg.update_id}",
                                                 done)
    state.dialog = None
    resp.say(state.chat_id, f"desk.done.{d.action}", number=t.number,
             department=said.get("department", ""))
