"""Bot methods that change existing messages: edits and deletes."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from bot.emulator.chats import Chat
from bot.emulator.content import caption_text, inline_only, message_text, reply_markup
from bot.emulator.errors import bad_request
from bot.emulator.params import required
from bot.emulator.records import SentMessage
from bot.emulator.registry import method

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator

NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")


def _target(emu: BotApiEmulator, p: dict[str, Any]) -> tuple[Chat, SentMessage]:
    if p.get("inline_message_id"):
        raise bad_request("message to edit not found")
    chat = emu.reachable_chat(p)
    message_id = required(p, "message_id", "message identifier")
    return chat, chat.bot_message(int(message_id), "message to edit not found")


def _apply(emu: BotApiEmulator, chat: Chat, old: SentMessage, method_name: str,
           changes: dict[str, Any], raw_changes: dict[str, Any]) -> dict[str, Any]:
    """Record the new version of `old` and return the edited Message object."""
    markup = changes.get("reply_markup")
    raw = {k: v for k, v in old.raw.items() if k != "reply_markup"}
    raw.update(raw_changes, edit_date=emu.now())
    if inline_only(markup):
        raw["reply_markup"] = markup
    chat.messages[old.message_id] = raw
    new = dataclasses.replace(old, method=method_name, edited=True, raw=raw,
                              history=[*old.history, old], **changes)
    emu.record(chat, new)
    return raw


@method("editMessageText")
async def edit_message_text(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat, old = _target(emu, p)
    if old.kind != "text":
        raise bad_request("there is no text in the message to edit")
    parse_mode = p.get("parse_mode") or None
    plain = message_text(p.get("text"), parse_mode)
    markup = reply_markup(p.get("reply_markup"))
    if str(p["text"]) == old.text and inline_only(markup) == inline_only(old.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(emu, chat, old, "editMessageText",
                  {"text": str(p["text"]), "plain": plain, "parse_mode": parse_mode,
                   "reply_markup": markup}, {"text": plain})


@method("editMessageCaption")
async def edit_message_caption(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat, old = _target(emu, p)
    if old.kind == "text":
        raise bad_request("there is no caption in the message to edit")
    parse_mode = p.get("parse_mode") or None
    plain = caption_text(p.get("caption"), parse_mode)
    markup = reply_markup(p.get("reply_markup"))
    if p.get("caption") == old.caption and inline_only(markup) == inline_only(old.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(emu, chat, old, "editMessageCaption",
                  {"caption": p.get("caption"), "plain": plain, "parse_mode": parse_mode,
                   "reply_markup": markup}, {"caption": plain})


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat, old = _target(emu, p)
    markup = reply_markup(p.get("reply_markup"))
    if inline_only(markup) == inline_only(old.reply_markup):
        raise bad_request(NOT_MODIFIED)
    return _apply(emu, chat, old, "editMessageReplyMarkup", {"reply_markup": markup}, {})


@method("deleteMessage")
async def delete_message(emu: BotApiEmulator, p: dict[str, Any]) -> bool:
    chat = emu.chat_for(required(p, "chat_id"))
    message_id = int(required(p, "message_id", "message identifier"))
    if message_id not in chat.messages:
        raise bad_request("message to delete not found")
    del chat.messages[message_id]
    old = chat.bot_messages.get(message_id)
    if old is not None:
        emu.record(chat, dataclasses.replace(old, method="deleteMessage", deleted=True,
                                             history=[*old.history, old]))
    return True
