"""`/finding <number>`: a supervisor records (or corrects) the finding on an answered ticket in
a short private dialog — verdict, the official (name, post, unit), the measure, and for a
一案双查 ticket the unit's head as well.

The dialog is the chat's DeskDialog with action "finding" (one dialog per chat, like the
desk's); the finding itself is stored by workflow.office.findings, which checks every rule
again, so the dialog only asks what is needed and shows each refusal as a message.
"""

from __future__ import annotations

import re

from workflow.chat import callbacks
from workflow.chat.messages import Button, Incoming, Outgoing, Response
from workflow.chat.state import ChatState, DeskDialog, new_token
from workflow.context import Context
from workflow.desk import staff
from workflow.errors import EmptyInput, FindingOnOpenTicket, StaleButton, TicketNotFound, UserError
from workflow.office import findings, names
from workflow.office.findings import Named
from workflow.office.model import SUBSTANTIATED, Measure, OfficialRole, Verdict
from workflow.ports import UnitOfWork

ACTION = "finding"
COMMAND = "finding"
_SPLIT = re.compile(r"[，,、/|\n]")


def claims(msg: Incoming, state: ChatState | None = None) -> bool:
    return msg.kind == "command" and msg.command == COMMAND


def wants(msg: Incoming, state: ChatState | None) -> bool:
    """An open finding dialog takes text, /cancel and its own buttons."""
    return state is not None and state.dialog is not None and state.dialog.action == ACTION \
        and (msg.kind in ("text", "photo", "document")
             or (msg.kind == "command" and msg.command == "cancel")
             or (msg.kind == "button" and callbacks.kind_of(msg.data) == "dialog"))


async def start(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState | None,
                resp: Response) -> None:
    """Supervisors only; the ticket must be answered; the dialog opens in private chat."""
    member = await staff.require_member(uow, msg.sender, f"/{COMMAND}")
    number = msg.args.strip().upper()
    staff.require_office(member, f"/{COMMAND} {number[:30]}")
    t = await uow.tickets.by_number(number) if number else None
    if t is None or t.id is None:
        raise staff.refuse(TicketNotFound(number=number[:30]), member, f"/{COMMAND}")
    if t.state not in findings.JUDGEABLE:
        raise staff.refuse(FindingOnOpenTicket(number=t.number, state=t.state), member,
                           f"/{COMMAND} {t.number}")
    existing = await uow.findings.for_ticket(t.id)
    private = state if state is not None and state.chat_id == member.telegram_id else \
        ChatState.from_row(await uow.conversations.get(member.telegram_id), member.telegram_id)
    private.dialog = DeskDialog(token=new_token(), action=ACTION, ticket_id=t.id,
                                number=t.number, from_department=t.department, values={
                                    "mode": "correct" if existing else "new",
                                    "double": "1" if t.double_check else ""})
    resp.messages.append(prompt(private.chat_id, private.dialog))
    if private is not state:
        private.updated_at = ctx.now()
        await uow.conversations.save(private.to_row())
        resp.say(msg.chat_id, "office.finding.continue_private", number=t.number)


def steps(d: DeskDialog) -> list[str]:
    """What is asked, given what was answered: measures only when substantiated; a correction
    may keep the officials and measures already recorded."""
    v = d.values
    out = ["verdict"]
    if v.get("keep"):
        return out
    if v.get("verdict") in SUBSTANTIATED:
        out += ["official", "measure"]
    elif v.get("mode") == "correct":
        out += ["official"]          # name again (cleared of measures), or keep the old record
    if v.get("double"):
        out += ["head", "head_measure"] if v.get("verdict") in SUBSTANTIATED else ["head"]
    return out


def _b(d: DeskDialog, key: str, kind: str, value: str = "") -> Button:
    return Button(key, callbacks.dialog(d.token, kind, value))


def prompt(chat_id: int, d: DeskDialog) -> Outgoing:
    step = steps(d)[d.step]
    params: dict[str, object] = {"number": d.number, "correct": d.values.get("mode") == "correct"}
    cancel = [_b(d, "btn.cancel", "cancel")]
    if step == "verdict":
        rows = [[_b(d, f"btn.office.verdict.{v.value}", "verdict", v.value)] for v in Verdict]
        return Outgoing(chat_id, "office.finding.ask_verdict", params, buttons=[*rows, cancel])
    if step in ("measure", "head_measure"):
        ms = [_b(d, f"btn.office.measure.{m.value}", "measure", m.value) for m in Measure]
        rows = [ms[i:i + 3] for i in range(0, len(ms), 3)]
        return Outgoing(chat_id, f"office.finding.ask_{step}", params, buttons=[*rows, cancel])
    if step == "official" and d.values.get("mode") == "correct":
        cancel = [_b(d, "btn.office.keep_officials", "keep"), *cancel]
    return Outgoing(chat_id, f"office.finding.ask_{step}", params, buttons=[cancel])


async def on_input(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                   resp: Response) -> None:
    d = state.dialog
    assert d is not None
    if msg.kind == "command":
        state.dialog = None
        resp.say(state.chat_id, "desk.dialog_cancelled", number=d.number)
        return
    step = steps(d)[d.step]
    if msg.kind == "button":
        press = callbacks.parse(msg.data)
        if press.token != d.token:
            raise StaleButton()
        resp.answer("ack.ok")
        await _button(ctx, uow, state, d, msg, step, press.action, press.value, resp)
        return
    if msg.kind != "text":
        resp.say(state.chat_id, "desk.text_only")
        return
    if step not in ("official", "head"):
        again = prompt(state.chat_id, d)
        again.key = "office.finding.use_buttons"
        resp.messages.append(again)
        return
    name, post, unit = _person(msg.text)
    prefix = "head_" if step == "head" else ""
    d.values.update({f"{prefix}name": name, f"{prefix}post": post, f"{prefix}unit": unit})
    await _advance(ctx, uow, state, d, msg, resp)


def _person(text: str) -> tuple[str, str, str]:
    """「姓名，职务，单位」: the name is required, post and unit optional; checked as typed."""
    if not text.strip():
        raise EmptyInput()
    parts = [p.strip() for p in _SPLIT.split(text, maxsplit=2)] + ["", ""]
    return (names.check_name(parts[0]), names.check_field(parts[1], "post"),
            names.check_field(parts[2], "unit"))


async def _button(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                  msg: Incoming, step: str, kind: str, value: str, resp: Response) -> None:
    if kind == "cancel":
        state.dialog = None
        resp.say(state.chat_id, "desk.dialog_cancelled", number=d.number)
    elif kind == "verdict" and step == "verdict" and value in set(Verdict):
        d.values["verdict"] = value
        await _advance(ctx, uow, state, d, msg, resp)
    elif kind == "measure" and step in ("measure", "head_measure") and value in set(Measure):
        d.values["head_measure" if step == "head_measure" else "measure"] = value
        await _advance(ctx, uow, state, d, msg, resp)
    elif kind == "keep" and step == "official" and d.values.get("mode") == "correct":
        d.values["keep"] = "1"
        await _finish(ctx, uow, state, d, msg, resp)
    else:
        raise StaleButton()


async def _advance(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                   msg: Incoming, resp: Response) -> None:
    if d.step + 1 < len(steps(d)):
        d.step += 1
        resp.messages.append(prompt(state.chat_id, d))
        return
    await _finish(ctx, uow, state, d, msg, resp)


def named(d: DeskDialog) -> list[Named]:
    v = d.values
    out = []
    if v.get("name"):
        out.append(Named(v["name"], v.get("post", ""), v.get("unit", ""),
                         measure=v.get("measure", Measure.NONE)))
    if v.get("head_name"):
        out.append(Named(v["head_name"], v.get("head_post", ""), v.get("head_unit", ""),
                         role=OfficialRole.HEAD, measure=v.get("head_measure", Measure.NONE)))
    return out


async def _finish(ctx: Context, uow: UnitOfWork, state: ChatState, d: DeskDialog,
                  msg: Incoming, resp: Response) -> None:
    """Stored through findings (every rule checked again); a refusal ends the dialog."""
    state.dialog = None
    try:
        member = await staff.require_member(uow, msg.sender, "finish finding")
        async with uow.savepoint():
            if d.values.get("mode") == "correct":
                done = await findings.correct(ctx, uow, member, d.ticket_id, d.values["verdict"],
                                              None if d.values.get("keep") else named(d))
            else:
                done = await findings.record(ctx, uow, member, d.ticket_id,
                                             d.values["verdict"], named(d))
    except UserError as err:
        resp.say(state.chat_id, err.key, **err.params)
        return
    key = "office.finding.corrected" if d.values.get("mode") == "correct" else "office.finding.done"
    resp.say(state.chat_id, key, number=d.number, verdict=done.finding.verdict,
             flags=len(done.flags))
