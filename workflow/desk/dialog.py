"""Multi-step desk actions as a short private dialog with the staff member.

The dialog lives under its own key in the person's Conversation draft (a filing draft of the
same person is kept), bound to a token so buttons of an older dialog are refused. When the
last step is done the ticket and the person are checked again before anything changes.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, time
from typing import Any

from workflow.chat.messages import Button, Incoming, Outgoing, Response
from workflow.context import TRIAGE, Context
from workflow.desk import actions, staff
from workflow.errors import BadDate, EmptyInput, InputTooLong, StaleButton, UserError
from workflow.model import Conversation, StaffMember, Ticket
from workflow.ports import UnitOfWork

DIALOG = "desk"                       # key of the dialog in Conversation.draft
DUE_TIME = time(17, 30)               # an extension runs to the end of that working day
MAX_FILES = 10
_DATE = re.compile(r"^\s*(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?\s*$")


def active(conv: Conversation | None) -> bool:
    return conv is not None and DIALOG in conv.draft


def wants(msg: Incoming) -> bool:
    """What the dialog consumes; other commands and buttons go to the filing flow."""
    return (msg.kind in ("text", "photo", "document") or (msg.kind == "command"
            and msg.command == "cancel") or (msg.kind == "button" and msg.data.startswith("d:")))


# ---- start --------------------------------------------------------------------------------

def start(ctx: Context, conv: Conversation, t: Ticket, action: str, resp: Response) -> None:
    """Open (or replace) the dialog for `action` on `t` and ask the first question."""
    conv.draft[DIALOG] = {"token": secrets.token_hex(4), "action": action, "ticket_id": t.id,
                          "number": t.number, "from": t.department, "step": 0, "parts": [],
                          "files": [], "values": {}}
    resp.messages.append(prompt(ctx, conv))


def _b(conv: Conversation, key: str, kind: str, value: str = "",
       **params: Any) -> Button:
    return Button(key, f"d:{conv.draft[DIALOG]['token']}:{kind}:{value}", params=params)


def prompt(ctx: Context, conv: Conversation) -> Outgoing:
    d = conv.draft[DIALOG]
    step = actions.ACTIONS[d["action"]].dialog[d["step"]] if d["step"] >= 0 else "reason_text"
    cancel = [_b(conv, "btn.cancel", "cancel")]
    params = {"number": d["number"], "action": d["action"]}
    if step == "reason_choice":
        rows = [[_b(conv, f"btn.desk.reason.{r}", "reason", r)] for r in actions.RETURN_REASONS]
        return Outgoing(conv.chat_id, "desk.ask_reason", params, buttons=[*rows, cancel])
    if step == "department":
        choices = [d2 for d2 in ctx.departments if d2 not in (TRIAGE, d["from"])]
        buttons = [_b(conv, "btn.desk.department", "dept", x, department=x) for x in choices]
        rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
        return Outgoing(conv.chat_id, "desk.ask_department", params, buttons=[*rows, cancel])
    if step == "answer":
        params.update(chars=sum(len(p) for p in d["parts"]), files=len(d["files"]))
        return Outgoing(conv.chat_id, "desk.ask_answer", params,
                        buttons=[[_b(conv, "btn.desk.submit", "submit")], cancel])
    return Outgoing(conv.chat_id, f"desk.ask_{step}", params, buttons=[cancel])


# ---- input --------------------------------------------------------------------------------

async def on_input(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                   resp: Response) -> None:
    d = conv.draft[DIALOG]
    if msg.kind == "command":
        cancel(conv, resp)
        return
    if msg.kind == "button":
        await _button(ctx, uow, conv, msg, resp)
        return
    step = _step(d)
    if msg.kind in ("photo", "document"):
        _file(ctx, conv, msg, step, resp)
        return
    text = msg.text.strip()
    if not text:
        raise EmptyInput()
    if step == "answer":
        _add_part(ctx, conv, text, resp)
    elif step == "reason_choice":
        d["values"].update(reason_code="other", reason=actions.check_text(ctx, text, 2000))
        await _finish(ctx, uow, conv, msg, resp)
    elif step == "department":
        again = prompt(ctx, conv)
        again.key = "desk.use_buttons"
        resp.messages.append(again)
    elif step == "date":
        d["values"]["due"] = parse_due(ctx, text).isoformat()
        await _advance(ctx, uow, conv, msg, resp)
    else:
        d["values"]["reason" if step == "reason_text" else "text"] = actions.check_text(ctx, text)
        await _advance(ctx, uow, conv, msg, resp)


def _step(d: dict[str, Any]) -> str:
    return actions.ACTIONS[d["action"]].dialog[d["step"]] if d["step"] >= 0 else "reason_text"


async def _button(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                  resp: Response) -> None:
    d = conv.draft[DIALOG]
    parts = msg.data.split(":")
    if len(msg.data) > actions.MAX_DATA or len(parts) != 4 or parts[1] != d["token"]:
        raise StaleButton()
    kind, value, step = parts[2], parts[3], _step(d)
    resp.answer("ack.ok")
    if kind == "cancel":
        cancel(conv, resp)
    elif kind == "reason" and step == "reason_choice" and value in actions.RETURN_REASONS:
        d["values"]["reason_code"] = value
        if value == "other":
            d["step"] = -1     # one more step: the reason in the staff member's words
            resp.messages.append(prompt(ctx, conv))
        else:
            await _finish(ctx, uow, conv, msg, resp)
    elif kind == "dept" and step == "department" and value in ctx.departments and value not in (
            TRIAGE, d["from"]):
        d["values"]["department"] = value
        await _advance(ctx, uow, conv, msg, resp)
    elif kind == "submit" and step == "answer":
        if not d["parts"]:
            raise EmptyInput()
        await _finish(ctx, uow, conv, msg, resp)
    else:
        raise StaleButton()


def _file(ctx: Context, conv: Conversation, msg: Incoming, step: str, resp: Response) -> None:
    d = conv.draft[DIALOG]
    if step != "answer":
        resp.say(conv.chat_id, "desk.text_only")
        return
    if len(d["files"]) >= MAX_FILES:
        resp.say(conv.chat_id, "desk.too_many_files", max=MAX_FILES)
        return
    d["files"].append({"kind": msg.kind, "file_id": msg.file_id})
    if msg.text.strip():
        d["parts"].append(msg.text.strip())
    resp.messages.append(prompt(ctx, conv))


def _add_part(ctx: Context, conv: Conversation, text: str, resp: Response) -> None:
    d = conv.draft[DIALOG]
    total = sum(len(p) for p in d["parts"]) + len(text)
    if total > ctx.desk.max_answer_chars:
        raise InputTooLong(max=ctx.desk.max_answer_chars, chars=total)
    d["parts"].append(text)
    resp.messages.append(prompt(ctx, conv))


async def _advance(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                   resp: Response) -> None:
    d = conv.draft[DIALOG]
    steps = actions.ACTIONS[d["action"]].dialog
    if d["step"] >= 0 and d["step"] + 1 < len(steps):
        d["step"] += 1
        resp.messages.append(prompt(ctx, conv))
        return
    await _finish(ctx, uow, conv, msg, resp)


def parse_due(ctx: Context, text: str) -> datetime:
    m = _DATE.match(text)
    try:
        day = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    except ValueError:
        day = None
    if day is None:
        raise BadDate(text=text[:40])
    return datetime.combine(day, DUE_TIME, tzinfo=ctx.tz)


def cancel(conv: Conversation, resp: Response) -> None:
    d = conv.draft.pop(DIALOG, None)
    resp.say(conv.chat_id, "desk.dialog_cancelled", number=d["number"] if d else "")


# ---- finish -------------------------------------------------------------------------------

async def _finish(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                  resp: Response) -> None:
    """Check person and ticket again; a refusal ends the dialog, bad input lets them retry."""
    d = conv.draft[DIALOG]
    try:
        member = await staff.require_member(uow, msg.sender, f"finish {d['action']}")
        t = await actions.authorise(ctx, uow, member, d["action"], int(d["ticket_id"]))
    except UserError as err:
        conv.draft.pop(DIALOG, None)
        resp.say(conv.chat_id, err.key, **err.params)
        return
    await _perform(ctx, uow, member, t, d, f"desk:{msg.update_id}")
    conv.draft.pop(DIALOG, None)
    resp.say(conv.chat_id, f"desk.done.{d['action']}", number=t.number,
             department=d["values"].get("department", ""))


async def _perform(ctx: Context, uow: UnitOfWork, member: StaffMember, t: Ticket,
                   d: dict[str, Any], key: str) -> None:
    v, action = d["values"], d["action"]
    if action == "return":
        await actions.return_ticket(ctx, uow, member, t, key, v["reason_code"], v.get("reason", ""))
    elif action == "transfer":
        await actions.transfer(ctx, uow, member, t, key, v["department"], v["reason"])
    elif action == "reroute":
        await actions.reroute(ctx, uow, member, t, key, v["department"])
    elif action == "extend":
        await actions.request_extension(ctx, uow, member, t, key, v["reason"],
                                     datetime.fromisoformat(v["due"]))
    elif action == "ask":
        await actions.ask(ctx, uow, member, t, key, v["text"])
    elif action == "note":
        await actions.note(ctx, uow, member, t, key, v["text"])
    elif action == "answer":
        await actions.answer(ctx, uow, member, t, key, "\n".join(d["parts"]), d["files"])
