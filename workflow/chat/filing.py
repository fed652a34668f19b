"""The citizen's private chat: filing a complaint step by step, framework-free.

State lives in the conversation row, read on every update, so a restart loses nothing.
Steps: describe (text/photos/documents until 完成) → accused (or 跳过) → identity
(share phone, or anonymous) → confirm (确认提交 / 修改 / 取消).
Inline buttons carry the draft's token; a button of an older draft is refused as stale.
"""

from __future__ import annotations

import secrets
from typing import Any

from workflow.chat.messages import Button, Incoming, Outgoing, Response, Sender
from workflow.context import Context
from workflow.errors import NotAGroup, StaleButton
from workflow.model import Complainant, Conversation
from workflow.ports import UnitOfWork
from workflow.tickets import intake

IDLE, DESCRIBE, ACCUSED, IDENTITY, CONFIRM = "idle", "describe", "accused", "identity", "confirm"
ANONYMOUS = "f:anon"   # data of the reply-keyboard button (reply keyboards carry no token)
SUMMARY_EXCERPT = 600  # the summary shows the start of a long description, the card shows all

HOME = [[Button("btn.file", "h:file")], [Button("btn.mine", "h:mine"), Button("btn.help", "h:help")]]


def _b(key: str, action: str, conv: Conversation) -> Button:
    return Button(key, f"f:{action}:{conv.token}")


def _describe_buttons(conv: Conversation) -> list[list[Button]]:
    return [[_b("btn.done", "done", conv), _b("btn.cancel", "cancel", conv)]]


# ---- entry points -------------------------------------------------------------------------

async def on_update(ctx: Context, uow: UnitOfWork, msg: Incoming) -> Response:
    conv = await uow.conversations.get(msg.chat_id) or Conversation(chat_id=msg.chat_id)
    resp = Response()
    if msg.kind == "command":
        await _command(ctx, uow, conv, msg, resp)
    elif msg.kind == "button":
        await _button(ctx, uow, conv, msg, resp)
    elif msg.kind == "unsupported":
        resp.say(msg.chat_id, "file.unsupported", what=msg.unsupported)
    elif msg.kind == "contact":
        await _contact(ctx, uow, conv, msg, resp)
    elif msg.kind in ("photo", "document"):
        await _attachment(ctx, conv, msg, resp)
    else:
        await _text(ctx, uow, conv, msg, resp)
    conv.updated_at = ctx.now()
    await uow.conversations.save(conv)
    return resp


async def _command(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                   resp: Response) -> None:
    if msg.command == "start":
        if conv.state == IDLE:
            resp.say(msg.chat_id, "start.welcome").buttons = HOME
        else:
            _ask_resume(conv, resp)
    elif msg.command in ("new", "complain"):
        _start_or_resume(conv, resp)
    elif msg.command == "cancel":
        _cancel(conv, resp)
    elif msg.command == "mine":
        await list_mine(ctx, uow, msg, resp)
    elif msg.command == "help":
        resp.say(msg.chat_id, "help.text").buttons = HOME
    elif msg.command == "bind":
        resp.say(msg.chat_id, NotAGroup.key)
    else:
        resp.say(msg.chat_id, "error.unknown_command", command=msg.command)


async def _button(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                  resp: Response) -> None:
    parts = msg.data.split(":")
    if parts[0] == "h" and len(parts) == 2:
        await _home(ctx, uow, conv, msg, parts[1], resp)
        return
    if msg.data == ANONYMOUS and conv.state == IDENTITY:
        _choose_anonymous(ctx, conv, resp)
        return
    if parts[0] != "f" or len(parts) != 3 or parts[2] != conv.token or conv.state == IDLE:
        resp.answer(StaleButton.key, alert=True)
        resp.messages.extend(prompt(conv))
        return
    resp.answer("ack.ok")
    if parts[1] == "submit":
        await _submit(ctx, uow, conv, msg.sender, resp)
        return
    await _draft_action(ctx, uow, conv, parts[1], resp)


async def _home(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                action: str, resp: Response) -> None:
    resp.answer("ack.ok")
    if action == "file":
        _start_or_resume(conv, resp)
    elif action == "mine":
        await list_mine(ctx, uow, msg, resp)
    elif action == "help":
        resp.say(conv.chat_id, "help.text").buttons = HOME
    else:
        resp.answer(StaleButton.key, alert=True)


async def _draft_action(ctx: Context, uow: UnitOfWork, conv: Conversation, action: str,
                        resp: Response) -> None:
    handlers = {
        "done": _finish_description, "skip": _skip_accused,
        "edit": _edit_menu, "rewrite": _rewrite, "more": _add_more, "accused": _edit_accused,
        "identity": _edit_identity, "back": _back_to_summary, "cancel": _cancel_action,
        "resume": _resume, "discard": _discard,
    }
    handler = handlers.get(action)
    if handler is None:
        resp.answer(StaleButton.key, alert=True)
        return
    await handler(ctx, uow, conv, resp)


# ---- steps --------------------------------------------------------------------------------

def _new_draft(conv: Conversation, parts: list[str] | None = None) -> None:
    conv.state, conv.token = DESCRIBE, secrets.token_hex(4)
    conv.draft = {"parts": parts or [], "attachments": [], "accused": None,
                  "anonymous": None, "phone": "", "editing": False}


def _start_or_resume(conv: Conversation, resp: Response) -> None:
    if conv.state != IDLE:
        _ask_resume(conv, resp)
        return
    _new_draft(conv)
    resp.messages.extend(prompt(conv))


def _ask_resume(conv: Conversation, resp: Response) -> None:
    out = resp.say(conv.chat_id, "file.resume_prompt", step=conv.state)
    out.buttons = [[_b("btn.resume", "resume", conv), _b("btn.discard", "discard", conv)]]


def prompt(conv: Conversation) -> list[Outgoing]:
    """The question of the current step (after resume, a stale button, or a restart)."""
    chat = conv.chat_id
    if conv.state == DESCRIBE:
        return [Outgoing(chat, "file.describe_prompt", _stats(conv), buttons=_describe_buttons(conv))]
    if conv.state == ACCUSED:
        return [Outgoing(chat, "file.accused_prompt", buttons=[[_b("btn.skip", "skip", conv)]])]
    if conv.state == IDENTITY:
        return [_identity_prompt(conv)]
    if conv.state == CONFIRM:
        return [_summary(conv)]
    return [Outgoing(chat, "start.welcome", buttons=HOME)]


def _stats(conv: Conversation) -> dict[str, Any]:
    return {"chars": len(intake.description(conv.draft)),
            "files": len(conv.draft.get("attachments", []))}


async def _text(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                resp: Response) -> None:
    text = msg.text.strip()
    if conv.state == IDLE:
        if not text:
            resp.say(conv.chat_id, "file.empty_text")
            return
        _new_draft(conv)
        resp.say(conv.chat_id, "file.started_from_text")
    if conv.state == DESCRIBE:
        _add_text(ctx, conv, text, resp)
    elif conv.state == ACCUSED:
        _set_accused(ctx, conv, text, resp)
    elif conv.state == IDENTITY:
        resp.messages.append(_identity_prompt(conv, key="file.identity_use_buttons"))
    else:
        resp.say(conv.chat_id, "file.press_button").buttons = _summary(conv).buttons


def _add_text(ctx: Context, conv: Conversation, text: str, resp: Response) -> None:
    if not text:
        resp.say(conv.chat_id, "file.empty_text")
        return
    total = len(intake.description(conv.draft)) + len(text)
    if total > ctx.rules.max_description_chars:
        resp.say(conv.chat_id, "file.too_long", max=ctx.rules.max_description_chars,
                 **_stats(conv)).buttons = _describe_buttons(conv)
        return
    conv.draft["parts"].append(text)
    resp.say(conv.chat_id, "file.describe_ack", **_stats(conv)).buttons = _describe_buttons(conv)


async def _attachment(ctx: Context, conv: Conversation, msg: Incoming, resp: Response) -> None:
    if conv.state == IDLE:
        _new_draft(conv)
        resp.say(conv.chat_id, "file.started_from_text")
    if conv.state != DESCRIBE:
        resp.say(conv.chat_id, "file.attachment_wrong_step")
        return
    files = conv.draft["attachments"]
    if len(files) >= ctx.rules.max_attachments:
        resp.say(conv.chat_id, "file.too_many_files", max=ctx.rules.max_attachments,
                 **_stats(conv)).buttons = _describe_buttons(conv)
        return
    files.append({"kind": msg.kind, "file_id": msg.file_id, "file_unique_id": msg.file_unique_id,
                  "file_name": msg.file_name, "caption": msg.text.strip()})
    if msg.text.strip():
        _add_text(ctx, conv, msg.text.strip(), resp)
        return
    resp.say(conv.chat_id, "file.describe_ack", **_stats(conv)).buttons = _describe_buttons(conv)


async def _finish_description(ctx: Context, uow: UnitOfWork, conv: Conversation,
                              resp: Response) -> None:
    if conv.state != DESCRIBE:
        resp.messages.extend(prompt(conv))
        return
    chars = len("".join(intake.description(conv.draft).split()))
    if chars < ctx.rules.min_description_chars:
        resp.say(conv.chat_id, "file.too_short", min=ctx.rules.min_description_chars,
                 chars=chars).buttons = _describe_buttons(conv)
        return
    if conv.draft.get("editing"):
        await _back_to_summary(ctx, uow, conv, resp)
        return
    conv.state = ACCUSED
    resp.messages.extend(prompt(conv))


def _set_accused(ctx: Context, conv: Conversation, text: str, resp: Response) -> None:
    if not text:
        resp.say(conv.chat_id, "file.empty_text")
        return
    if len(text) > ctx.rules.max_accused_chars:
        resp.say(conv.chat_id, "file.accused_too_long", max=ctx.rules.max_accused_chars)
        return
    conv.draft["accused"] = text
    _after_accused(ctx, conv, resp)


async def _skip_accused(ctx: Context, uow: UnitOfWork, conv: Conversation,
                        resp: Response) -> None:
    if conv.state != ACCUSED:
        resp.messages.extend(prompt(conv))
        return
    conv.draft["accused"] = ""
    _after_accused(ctx, conv, resp)


def _after_accused(ctx: Context, conv: Conversation, resp: Response) -> None:
    if conv.draft.get("editing"):
        _show_summary(ctx, conv, resp)
        return
    conv.state = IDENTITY
    resp.messages.extend(prompt(conv))


def _identity_prompt(conv: Conversation, key: str = "file.identity_prompt") -> Outgoing:
    return Outgoing(conv.chat_id, key, keyboard=[
        [Button("btn.share_phone", request_contact=True)], [Button("btn.anonymous", ANONYMOUS)]])


async def _contact(ctx: Context, uow: UnitOfWork, conv: Conversation, msg: Incoming,
                   resp: Response) -> None:
    if conv.state != IDENTITY:
        resp.say(conv.chat_id, "file.contact_wrong_step")
        return
    if msg.sender is None or msg.contact_user_id != msg.sender.id:
        resp.messages.append(_identity_prompt(conv, key="file.contact_not_own"))
        return
    conv.draft.update(anonymous=False, phone=msg.contact_phone)
    resp.say(conv.chat_id, "file.identity_real", phone=mask_phone(msg.contact_phone)
             ).remove_keyboard = True
    _show_summary(ctx, conv, resp)


def _choose_anonymous(ctx: Context, conv: Conversation, resp: Response) -> None:
    conv.draft.update(anonymous=True, phone="")
    resp.say(conv.chat_id, "file.identity_anonymous").remove_keyboard = True
    _show_summary(ctx, conv, resp)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"


def _show_summary(ctx: Context, conv: Conversation, resp: Response) -> None:
    c = ctx.classify(_classified_text(conv.draft))
    conv.draft["classification"] = {
        "category": c.category, "department": c.department, "urgent": c.urgent,
        "tags": list(c.tags), "confidence": dict(c.confidence), "evidence": list(c.evidence),
        "triaged": c.triaged}
    conv.draft["editing"] = False
    conv.state = CONFIRM
    resp.messages.append(_summary(conv))


def _classified_text(draft: dict[str, Any]) -> str:
    return "\n".join(x for x in (intake.description(draft), draft.get("accused") or "") if x)


def _summary(conv: Conversation) -> Outgoing:
    d = conv.draft
    c = d.get("classification", {})
    text = intake.description(d)
    params = {"text": text[:SUMMARY_EXCERPT], "cut": max(0, len(text) - SUMMARY_EXCERPT),
              "accused": d.get("accused") or "",
              "anonymous": d.get("anonymous", True), "phone": mask_phone(d.get("phone", "")),
              "files": len(d.get("attachments", [])), "category": c.get("category", "other"),
              "department": c.get("department", "supervision"), "urgent": c.get("urgent", False),
              "triaged": c.get("triaged", False)}
    return Outgoing(conv.chat_id, "file.summary", params, buttons=[
        [_b("btn.submit", "submit", conv)],
        [_b("btn.edit", "edit", conv), _b("btn.cancel", "cancel", conv)]])


async def _submit(ctx: Context, uow: UnitOfWork, conv: Conversation, sender: Sender | None,
                  resp: Response) -> None:
    if conv.state != CONFIRM:
        resp.messages.extend(prompt(conv))
        return
    who = await _complainant(ctx, uow, conv, sender)
    filed = await intake.submit(ctx, uow, who, conv.draft, _Stored(conv.draft["classification"]))
    t = filed.ticket
    conv.state, conv.token, conv.draft = IDLE, secrets.token_hex(4), {}
    resp.say(conv.chat_id, "file.submitted", number=t.number, department=t.department,
             answer_due=t.answer_due, urgent=t.urgent, note=t.routing_note).buttons = HOME


class _Stored:
    """The classification shown in the summary is the one submitted (what the user confirmed)."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.category: str = d["category"]
        self.department: str = d["department"]
        self.urgent: bool = d["urgent"]
        self.tags: list[str] = d.get("tags", [])
        self.confidence: dict[str, float] = d.get("confidence", {})
        self.evidence: list[str] = d.get("evidence", [])
        self.triaged: bool = d.get("triaged", False)


async def _complainant(ctx: Context, uow: UnitOfWork, conv: Conversation,
                       sender: Sender | None) -> Complainant:
    """The sender's profile is stored once per user; only the oversight office may read it."""
    profile: dict[str, Any] = {}
    if sender is not None:
        profile = {"first_name": sender.first_name, "last_name": sender.last_name,
                   "username": sender.username, "language": sender.language}
    who = await uow.complainants.by_telegram_id(conv.chat_id)
    if who is None:
        who = await uow.complainants.add(Complainant(telegram_id=conv.chat_id,
                                                     created_at=ctx.now(), **profile))
    else:
        for k, v in profile.items():
            setattr(who, k, v)
    if conv.draft.get("phone"):
        who.phone = conv.draft["phone"]
    await uow.complainants.save(who)
    return who


async def _edit_menu(ctx: Context, uow: UnitOfWork, conv: Conversation, resp: Response) -> None:
    if conv.state != CONFIRM:
        resp.messages.extend(prompt(conv))
        return
    resp.say(conv.chat_id, "file.edit_menu").buttons = [
        [_b("btn.rewrite", "rewrite", conv), _b("btn.add_more", "more", conv)],
        [_b("btn.edit_accused", "accused", conv), _b("btn.edit_identity", "identity", conv)],
        [_b("btn.back", "back", conv)]]


async def _rewrite(ctx: Context, uow: UnitOfWork, conv: Conversation, resp: Response) -> None:
    conv.draft.update(parts=[], attachments=[], editing=True)
    conv.state = DESCRIBE
    resp.messages.extend(prompt(conv))


async def _add_more(ctx: Context, uow: UnitOfWork, conv: Conversation, resp: Response) -> None:
    conv.draft["editing"] = True
    conv.state = DESCRIBE
    resp.messages.extend(prompt(conv))


async def _edit_accused(ctx: Context, uow: UnitOfWork, conv: Conversation,
                        resp: Response) -> None:
    conv.draft["editing"] = True
    conv.state = ACCUSED
    resp.messages.extend(prompt(conv))


async def _edit_identity(ctx: Context, uow: UnitOfWork, conv: Conversation,
                         resp: Response) -> None:
    conv.state = IDENTITY
    resp.messages.extend(prompt(conv))


async def _back_to_summary(ctx: Context, uow: UnitOfWork, conv: Conversation,
                           resp: Response) -> None:
    if conv.draft.get("anonymous") is None:
        conv.draft["editing"] = False
        conv.state = ACCUSED if conv.draft.get("accused") is None else IDENTITY
        resp.messages.extend(prompt(conv))
        return
    _show_summary(ctx, conv, resp)


async def _cancel_action(ctx: Context, uow: UnitOfWork, conv: Conversation,
                         resp: Response) -> None:
    _cancel(conv, resp)


def _cancel(conv: Conversation, resp: Response) -> None:
    if conv.state == IDLE:
        resp.say(conv.chat_id, "file.nothing_to_cancel").buttons = HOME
        return
    conv.state, conv.token, conv.draft = IDLE, secrets.token_hex(4), {}
    resp.say(conv.chat_id, "file.cancelled").remove_keyboard = True
    resp.say(conv.chat_id, "start.welcome").buttons = HOME


async def _resume(ctx: Context, uow: UnitOfWork, conv: Conversation, resp: Response) -> None:
    resp.messages.extend(prompt(conv))


async def _discard(ctx: Context, uow: UnitOfWork, conv: Conversation, resp: Response) -> None:
    _cancel(conv, resp)


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
