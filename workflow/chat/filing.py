"""The citizen's private chat: filing a complaint step by step, framework-free.

Steps: describe (text/photos/documents until 完成) → accused (or 跳过) → identity
(share phone, or anonymous) → confirm (确认提交 / 修改 / 取消). The draft is part of the
chat's state (workflow.chat.state), read and saved by dispatch, so a restart loses nothing.
Inline buttons carry the draft's token; a button of an older draft is refused as stale.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any

from workflow.chat import callbacks, danger, evidence, greetings
from workflow.chat.messages import Button, Incoming, Outgoing, Response, Sender
from workflow.chat.phones import mask_phone
from workflow.chat.state import ACCUSED, CONFIRM, DESCRIBE, IDENTITY, IDLE, ChatState, Classified
from workflow.context import Context
from workflow.errors import NotAGroup, StaleButton, UserError
from workflow.model import Complainant, Ticket
from workflow.ports import UnitOfWork
from workflow.tickets import intake, supplement

SUMMARY_EXCERPT = 600  # the summary shows the start of a long description, the card shows all

HOME = [[Button("btn.file", callbacks.home("file"))],
        [Button("btn.mine", callbacks.home("mine")), Button("btn.help", callbacks.home("help"))]]


def _b(key: str, action: str, state: ChatState) -> Button:
    return Button(key, callbacks.filing(action, state.token))


def _describe_buttons(state: ChatState) -> list[list[Button]]:
    return [[_b("btn.done", "done", state), _b("btn.cancel", "cancel", state)]]


# ---- entry point ------------------------------------------------------------------------------

async def on_update(ctx: Context, uow: UnitOfWork, msg: Incoming, state: ChatState,
                    resp: Response) -> None:
    if msg.kind == "command":
        await _command(ctx, uow, state, msg, resp)
    elif msg.kind == "button":
        await _button(ctx, uow, state, msg, resp)
    elif msg.kind == "unsupported":
        resp.say(msg.chat_id, "file.unsupported", what=msg.unsupported)
    elif msg.kind == "contact":
        _contact(ctx, state, msg, resp)
    elif msg.kind in ("photo", "document"):
        _attachment(ctx, state, msg, resp)
    elif msg.kind in ("location", "voice"):
        _attachment(ctx, state, msg, resp, evidence.attachment(msg))
    else:
        _text(ctx, state, msg, resp)


async def _command(ctx: Context, uow: UnitOfWork, state: ChatState, msg: Incoming,
                   resp: Response) -> None:
    if msg.command == "start":
        if state.step == IDLE:
            resp.say(msg.chat_id, "start.welcome").buttons = HOME
        else:
            _ask_resume(state, resp)
    elif msg.command in ("new", "complain"):
        _start_or_resume(state, resp)
    elif msg.command == "cancel":
        _ask_cancel(state, resp)
    elif msg.command == "mine":
        await list_mine(ctx, uow, msg, resp)
    elif msg.command == "help":
        _help(state, resp)
    elif msg.command == "bind":
        resp.say(msg.chat_id, NotAGroup.key)
    else:
        resp.say(msg.chat_id, "error.unknown_command", command=msg.command)


async def _button(ctx: Context, uow: UnitOfWork, state: ChatState, msg: Incoming,
                  resp: Response) -> None:
    try:
        press = callbacks.parse(msg.data)
    except StaleButton:
        press = None
    if press is not None and press.kind == "home":
        await _home(ctx, uow, state, msg, press.action, resp)
        return
    if press is not None and press.action == "anon" and state.step == IDENTITY:
        _choose_anonymous(ctx, state, resp)
        return
    if press is None or press.kind != "filing" or press.token != state.token \
            or state.step == IDLE or press.action not in _DRAFT_ACTIONS:
        resp.answer(StaleButton.key, alert=True)
        resp.messages.extend(prompt(state))
        return
    resp.answer("ack.ok")
    await _DRAFT_ACTIONS[press.action](ctx, uow, state, msg.sender, resp)


async def _home(ctx: Context, uow: UnitOfWork, state: ChatState, msg: Incoming,
                action: str, resp: Response) -> None:
    resp.answer("ack.ok")
    if action == "file":
        _start_or_resume(state, resp)
    elif action == "mine":
        await list_mine(ctx, uow, msg, resp)
    else:
        _help(state, resp)


def _help(state: ChatState, resp: Response) -> None:
    """Mid-flow, help also says where the draft stands and offers to go back to it."""
    if state.step == IDLE:
        resp.say(state.chat_id, "help.text").buttons = HOME
        return
    resp.say(state.chat_id, "help.text")
    resp.say(state.chat_id, "help.draft_in_progress", step=state.step).buttons = [
        [_b("btn.resume", "resume", state), _b("btn.discard", "discard", state)]]


def _ask_cancel(state: ChatState, resp: Response) -> None:
    """/cancel with a draft asks first: a slip of the finger must not throw away a long story."""
    if state.step == IDLE:
        _cancel(state, resp)
        return
    resp.say(state.chat_id, "file.cancel_confirm", **_stats(state)).buttons = [
        [_b("btn.discard", "discard", state), _b("btn.resume", "resume", state)]]


# ---- steps --------------------------------------------------------------------------------

def _start_or_resume(state: ChatState, resp: Response) -> None:
    if state.step != IDLE:
        _ask_resume(state, resp)
        return
    state.start_draft()
    resp.messages.extend(prompt(state))


def _ask_resume(state: ChatState, resp: Response) -> None:
    out = resp.say(state.chat_id, "file.resume_prompt", step=state.step)
    out.buttons = [[_b("btn.resume", "resume", state), _b("btn.discard", "discard", state)]]


def prompt(state: ChatState) -> list[Outgoing]:
    """The question of the current step (after resume, a stale button, or a restart)."""
    chat = state.chat_id
    if state.step == DESCRIBE:
        return [Outgoing(chat, "file.describe_prompt", _stats(state),
                         buttons=_describe_buttons(state))]
    if state.step == ACCUSED:
        return [Outgoing(chat, "file.accused_prompt", buttons=[[_b("btn.skip", "skip", state)]])]
    if state.step == IDENTITY:
        return [_identity_prompt(state)]
    if state.step == CONFIRM:
        return [_summary(state)]
    return [Outgoing(chat, "start.welcome", buttons=HOME)]


def _stats(state: ChatState) -> dict[str, Any]:
    return {"chars": len(state.filing.description()), "files": len(state.filing.attachments)}


def visible_chars(text: str) -> int:
    """What a reader sees: whitespace and invisible format characters (zero-width) don't count."""
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def _text(ctx: Context, state: ChatState, msg: Incoming, resp: Response) -> None:
    text = msg.text.strip()
    if state.step == IDLE:
        if not text:
            resp.say(state.chat_id, "file.empty_text")
            return
        if greetings.is_greeting(text):
            resp.say(state.chat_id, "start.welcome").buttons = HOME
            return
        state.start_draft()
        resp.say(state.chat_id, "file.started_from_text")
    if state.step == DESCRIBE:
        _add_text(ctx, state, text, resp)
    elif state.step == ACCUSED:
        _set_accused(ctx, state, text, resp)
    elif state.step == IDENTITY:
        resp.messages.append(_identity_prompt(state, key="file.identity_use_buttons"))
    else:
        resp.say(state.chat_id, "file.press_button").buttons = _summary(state).buttons


def _add_text(ctx: Context, state: ChatState, text: str, resp: Response) -> None:
    if not text:
        resp.say(state.chat_id, "file.empty_text")
        return
    total = len(state.filing.description()) + len(text)
    if total > ctx.rules.max_description_chars:
        resp.say(state.chat_id, "file.too_long", max=ctx.rules.max_description_chars,
                 **_stats(state)).buttons = _describe_buttons(state)
        return
    state.filing.parts.append(text)
    resp.say(state.chat_id, "file.describe_ack", **_stats(state)).buttons = \
        _describe_buttons(state)
    danger.warn(ctx, state, resp)


def _attachment(ctx: Context, state: ChatState, msg: Incoming, resp: Response,
                kept: dict[str, str] | None = None) -> None:
    if state.step == IDLE:
        state.start_draft()
        resp.say(state.chat_id, "file.started_from_text")
    if state.step != DESCRIBE:
        resp.say(state.chat_id, "file.attachment_wrong_step")
        return
    files = state.filing.attachments
    if len(files) >= ctx.rules.max_attachments:
        resp.say(state.chat_id, "file.too_many_files", max=ctx.rules.max_attachments,
                 **_stats(state)).buttons = _describe_buttons(state)
        return
    files.append(kept or {"kind": msg.kind, "file_id": msg.file_id,
                          "file_unique_id": msg.file_unique_id, "file_name": msg.file_name,
                          "caption": msg.text.strip()})
    if msg.text.strip() and msg.kind != "location":
        _add_text(ctx, state, msg.text.strip(), resp)
        return
    resp.say(state.chat_id, "file.describe_ack", **_stats(state)).buttons = \
        _describe_buttons(state)


async def _finish_description(ctx: Context, uow: UnitOfWork, state: ChatState,
                              sender: Sender | None, resp: Response) -> None:
    if state.step != DESCRIBE:
        resp.messages.extend(prompt(state))
        return
    chars = visible_chars(state.filing.description())
    if chars < ctx.rules.min_description_chars:
        resp.say(state.chat_id, "file.too_short", min=ctx.rules.min_description_chars,
                 chars=chars).buttons = _describe_buttons(state)
        return
    if state.filing.editing:
        _back_to_summary(ctx, state, resp)
        return
    state.step = ACCUSED
    resp.messages.extend(prompt(state))


def _set_accused(ctx: Context, state: ChatState, text: str, resp: Response) -> None:
    if not text:
        resp.say(state.chat_id, "file.empty_text")
        return
    if len(text) > ctx.rules.max_accused_chars:
        resp.say(state.chat_id, "file.accused_too_long", max=ctx.rules.max_accused_chars)
        return
    state.filing.accused = text
    _after_accused(ctx, state, resp)


async def _skip_accused(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                        resp: Response) -> None:
    if state.step != ACCUSED:
        resp.messages.extend(prompt(state))
        return
    state.filing.accused = ""
    _after_accused(ctx, state, resp)


def _after_accused(ctx: Context, state: ChatState, resp: Response) -> None:
    if state.filing.editing:
        _show_summary(ctx, state, resp)
        return
    state.step = IDENTITY
    resp.messages.extend(prompt(state))


def _identity_prompt(state: ChatState, key: str = "file.identity_prompt") -> Outgoing:
    return Outgoing(state.chat_id, key, keyboard=[
        [Button("btn.share_phone", request_contact=True)],
        [Button("btn.anonymous", callbacks.ANONYMOUS)]])


def _contact(ctx: Context, state: ChatState, msg: Incoming, resp: Response) -> None:
    if state.step != IDENTITY:
        resp.say(state.chat_id, "file.contact_wrong_step")
        return
    if msg.sender is None or msg.contact_user_id != msg.sender.id:
        resp.messages.append(_identity_prompt(state, key="file.contact_not_own"))
        return
    state.filing.anonymous, state.filing.phone = False, msg.contact_phone
    resp.say(state.chat_id, "file.identity_real", phone=mask_phone(msg.contact_phone)
             ).remove_keyboard = True
    _show_summary(ctx, state, resp)


def _choose_anonymous(ctx: Context, state: ChatState, resp: Response) -> None:
    state.filing.anonymous, state.filing.phone = True, ""
    resp.say(state.chat_id, "file.identity_anonymous").remove_keyboard = True
    _show_summary(ctx, state, resp)


def _show_summary(ctx: Context, state: ChatState, resp: Response) -> None:
    d = state.filing
    c = ctx.classify("\n".join(x for x in (d.description(), d.accused or "") if x))
    d.classification = Classified(
        category=c.category, department=c.department, urgent=c.urgent, tags=list(c.tags),
        confidence=dict(c.confidence), evidence=list(c.evidence), triaged=c.triaged,
        category_unconfirmed=c.category_unconfirmed)
    d.editing = False
    state.step = CONFIRM
    resp.messages.append(_summary(state))


def _summary(state: ChatState) -> Outgoing:
    d = state.filing
    c = d.classification
    text = d.description()
    params = {"text": text[:SUMMARY_EXCERPT], "cut": max(0, len(text) - SUMMARY_EXCERPT),
              "accused": d.accused or "", "anonymous": d.anonymous is not False,
              "phone": mask_phone(d.phone), "files": len(d.attachments),
              "category": c.category if c else "other",
              "department": c.department if c else "supervision",
              "urgent": c.urgent if c else False, "triaged": c.triaged if c else False}
    return Outgoing(state.chat_id, "file.summary", params, buttons=[
        [_b("btn.submit", "submit", state)],
        [_b("btn.edit", "edit", state), _b("btn.cancel", "cancel", state)]])


async def _submit(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                  resp: Response) -> None:
    d = state.filing
    if state.step != CONFIRM or d.classification is None:
        resp.messages.extend(prompt(state))
        return
    who = await _complainant(ctx, uow, state, sender)
    assert who.id is not None
    cap = ctx.rules.max_complaints_per_day
    recent = await uow.tickets.for_complainant(who.id, limit=max(cap, supplement.LOOK_BACK))
    if not d.duplicate_ok and _offer_supplement(ctx, recent, state, resp):
        return
    _within_daily_cap(ctx, recent[:cap], cap)
    filed = await intake.submit(ctx, uow, who, d, d.classification)
    t = filed.ticket
    state.end_draft()
    resp.say(state.chat_id, "file.submitted", number=t.number, department=t.department,
             answer_due=t.answer_due, urgent=t.urgent, note=t.routing_note).buttons = HOME


def _offer_supplement(ctx: Context, recent: list[Ticket], state: ChatState,
                      resp: Response) -> bool:
    """The same problem as one of their tickets in hand: add to it, or file anew?"""
    t = supplement.near_duplicate(ctx, recent, state.filing.description())
    if t is None:
        return False
    state.filing.duplicate_of = t.number
    resp.say(state.chat_id, "file.duplicate", number=t.number, created_at=t.created_at,
             state=t.state, department=t.department).buttons = [
        [Button("btn.supplement", callbacks.filing("supplement", state.token),
                params={"number": t.number})],
        [_b("btn.file_anyway", "anyway", state)], [_b("btn.cancel", "cancel", state)]]
    return True


async def _file_anyway(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                       resp: Response) -> None:
    state.filing.duplicate_ok = True
    await _submit(ctx, uow, state, sender, resp)


async def _supplement(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                      resp: Response) -> None:
    """补充材料: the draft's text and files go to the earlier ticket; no new complaint."""
    d = state.filing
    who = await uow.complainants.by_telegram_id(state.chat_id)
    t = await uow.tickets.by_number(d.duplicate_of) if d.duplicate_of else None
    if state.step != CONFIRM or t is None or who is None or t.complainant_id != who.id:
        resp.messages.extend(prompt(state))
        return
    if t.state not in supplement.IN_HAND:
        d.duplicate_ok = True
        resp.say(state.chat_id, "file.duplicate_gone", number=t.number, state=t.state)
        resp.messages.append(_summary(state))
        return
    await supplement.add(ctx, uow, t, d.description(), d.attachments, f"supplement:{state.token}")
    resp.say(state.chat_id, "file.supplemented", number=t.number, department=t.department,
             chars=len(d.description()), files=len(d.attachments)).buttons = HOME
    state.end_draft()


class DailyCapReached(UserError):
    key = "error.daily_cap"


def _within_daily_cap(ctx: Context, latest: list[Ticket], cap: int) -> None:
    """[filing] max_complaints_per_day new complaints per person and calendar day (local);
    `latest` are the person's newest `cap` tickets."""
    local = ctx.now().astimezone(ctx.tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if len([t for t in latest if t.created_at.astimezone(ctx.tz) >= midnight]) >= cap:
        raise DailyCapReached(max=cap)


async def _complainant(ctx: Context, uow: UnitOfWork, state: ChatState,
                       sender: Sender | None) -> Complainant:
    """The sender's profile is stored once per user; only the oversight office may read it."""
    profile: dict[str, Any] = {}
    if sender is not None:
        profile = {"first_name": sender.first_name, "last_name": sender.last_name,
                   "username": sender.username, "language": sender.language}
    return await uow.complainants.register(
        Complainant(telegram_id=state.chat_id, created_at=ctx.now(),
                    phone=state.filing.phone or "", **profile), profile=sender is not None)


async def _edit_menu(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                     resp: Response) -> None:
    if state.step != CONFIRM:
        resp.messages.extend(prompt(state))
        return
    resp.say(state.chat_id, "file.edit_menu").buttons = [
        [_b("btn.rewrite", "rewrite", state), _b("btn.add_more", "more", state)],
        [_b("btn.edit_accused", "accused", state), _b("btn.edit_identity", "identity", state)],
        [_b("btn.back", "back", state)]]


async def _rewrite(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                   resp: Response) -> None:
    d = state.filing
    d.parts, d.attachments, d.editing = [], [], True
    state.step = DESCRIBE
    resp.messages.extend(prompt(state))


async def _add_more(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                    resp: Response) -> None:
    state.filing.editing = True
    state.step = DESCRIBE
    resp.messages.extend(prompt(state))


async def _edit_accused(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                        resp: Response) -> None:
    state.filing.editing = True
    state.step = ACCUSED
    resp.messages.extend(prompt(state))


async def _edit_identity(ctx: Context, uow: UnitOfWork, state: ChatState,
                         sender: Sender | None, resp: Response) -> None:
    state.step = IDENTITY
    resp.messages.extend(prompt(state))


async def _back(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                resp: Response) -> None:
    _back_to_summary(ctx, state, resp)


def _back_to_summary(ctx: Context, state: ChatState, resp: Response) -> None:
    d = state.filing
    if d.anonymous is None:
        d.editing = False
        state.step = ACCUSED if d.accused is None else IDENTITY
        resp.messages.extend(prompt(state))
        return
    _show_summary(ctx, state, resp)


async def _cancel_pressed(ctx: Context, uow: UnitOfWork, state: ChatState,
                          sender: Sender | None, resp: Response) -> None:
    _cancel(state, resp)


def _cancel(state: ChatState, resp: Response) -> None:
    if state.step == IDLE:
        resp.say(state.chat_id, "file.nothing_to_cancel").buttons = HOME
        return
    state.end_draft()
    resp.say(state.chat_id, "file.cancelled").remove_keyboard = True
    resp.say(state.chat_id, "start.welcome").buttons = HOME


async def _resume(ctx: Context, uow: UnitOfWork, state: ChatState, sender: Sender | None,
                  resp: Response) -> None:
    resp.messages.extend(prompt(state))


DraftAction = Callable[[Context, UnitOfWork, ChatState, Sender | None, Response], Awaitable[None]]
_DRAFT_ACTIONS: dict[str, DraftAction] = {
    "done": _finish_description, "skip": _skip_accused, "submit": _submit,
    "edit": _edit_menu, "rewrite": _rewrite, "more": _add_more, "accused": _edit_accused,
    "identity": _edit_identity, "back": _back, "cancel": _cancel_pressed,
    "resume": _resume, "discard": _cancel_pressed,
    "supplement": _supplement, "anyway": _file_anyway,
}


# ---- the complainant's own tickets --------------------------------------------------------

async def list_mine(ctx: Context, uow: UnitOfWork, msg: Incoming, resp: Response) -> None:
    who = await uow.complainants.by_telegram_id(msg.chat_id)
    mine = await uow.tickets.for_complainant(who.id) if who and who.id else []
    if not mine:
        resp.say(msg.chat_id, "mine.empty").buttons = HOME
        return
    items = [{"number": t.number, "state": t.state, "department": t.department,
              "answer_due": t.answer_due, "created_at": t.created_at} for t in mine]
    resp.say(msg.chat_id, "mine.list", items=items)
