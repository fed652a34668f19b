"""Bot methods that create messages: sendMessage, the media sends, media groups, copy, forward."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from bot.emulator.chats import Chat, shallow
from bot.emulator.content import caption_text, inline_only, message_text, reply_markup
from bot.emulator.errors import bad_request
from bot.emulator.files import TINY_PNG, StoredFile
from bot.emulator.media import MEDIA_KINDS, media_object, photo_sizes
from bot.emulator.params import Upload, required
from bot.emulator.records import SentMessage
from bot.emulator.registry import method

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator


def _reply_to(chat: Chat, p: dict[str, Any]) -> int | None:
    params = p.get("reply_parameters") or {}
    target = params.get("message_id") if isinstance(params, dict) else None
    target = target or p.get("reply_to_message_id")
    if not target:
        return None
    if int(target) not in chat.messages:
        allow = p.get("allow_sending_without_reply") or (
            isinstance(params, dict) and params.get("allow_sending_without_reply"))
        if allow:
            return None
        raise bad_request("message to be replied not found")
    return int(target)


def post(emu: BotApiEmulator, chat: Chat, p: dict[str, Any], kind: str,
         content: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """Create a bot message in `chat`, record it, and return the Message object."""
    markup = reply_markup(p.get("reply_markup"))
    reply_to = _reply_to(chat, p)
    message_id = chat.next_message_id()
    raw: dict[str, Any] = {"message_id": message_id, "from": emu.bot_user,
                           "chat": chat.as_chat(), "date": emu.now(), **content}
    if reply_to is not None:
        raw["reply_to_message"] = shallow(chat.messages[reply_to])
    if inline_only(markup):
        raw["reply_markup"] = markup
    if markup and "keyboard" in markup:
        chat.reply_keyboard = markup
    elif markup and markup.get("remove_keyboard"):
        chat.reply_keyboard = None
    chat.messages[message_id] = raw
    sent = SentMessage(seq=0, chat_id=chat.id, message_id=message_id, method=fields.pop("method"),
                       kind=kind, reply_markup=markup, reply_to=reply_to, raw=raw, **fields)
    emu.record(chat, sent)
    return raw


@method("sendMessage")
async def send_message(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat = emu.reachable_chat(p)
    parse_mode = p.get("parse_mode") or None
    plain = message_text(p.get("text"), parse_mode)
    return post(emu, chat, p, "text", {"text": plain}, method="sendMessage",
                text=str(p["text"]), plain=plain, parse_mode=parse_mode)


def resolve_file(emu: BotApiEmulator, p: dict[str, Any], value: Any, kind: str) -> StoredFile:
    """A file_id, an HTTP URL, an upload, or `attach://name` pointing at an upload."""
    if isinstance(value, str) and value.startswith("attach://"):
        value = p.get(value.removeprefix("attach://"))
    if isinstance(value, Upload):
        return emu.files.add(kind, value.data, file_name=value.filename,
                             mime_type=value.content_type)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        name = value.rsplit("/", 1)[-1] or None
        return emu.files.add(kind, TINY_PNG, file_name=name)
    if isinstance(value, str) and value:
        return _checked_kind(emu.files.get(value), kind)
    raise bad_request("wrong file identifier/HTTP URL specified")


def _checked_kind(stored: StoredFile, kind: str) -> StoredFile:
    """Telegram refuses a photo's file_id as a document and vice versa."""
    if "photo" in (stored.kind, kind) and stored.kind != kind:
        raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
    return stored


def media_content(emu: BotApiEmulator, kind: str, f: StoredFile) -> tuple[dict[str, Any], str]:
    """message fields for a media kind, and the file_id tests see (largest photo size)."""
    if kind == "photo":
        return {"photo": photo_sizes(emu.files, f)}, f.file_id
    return {kind: media_object(kind, f)}, f.file_id


def _send_media(kind: str) -> None:
    name = "send" + "".join(part.title() for part in kind.split("_"))

    @method(name)
    async def send(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
        chat = emu.reachable_chat(p)
        stored = resolve_file(emu, p, required(p, kind, f"there is no {kind} in the request"),
                              kind)
        parse_mode = p.get("parse_mode") or None
        caption = caption_text(p.get("caption"), parse_mode)
        content, file_id = media_content(emu, kind, stored)
        if caption:
            content["caption"] = caption
        return post(emu, chat, p, kind, content, method=name, caption=p.get("caption"),
                    plain=caption, parse_mode=parse_mode, file_id=file_id)


for _kind in MEDIA_KINDS:
    _send_media(_kind)


@method("sendMediaGroup")
async def send_media_group(emu: BotApiEmulator, p: dict[str, Any]) -> list[dict[str, Any]]:
    chat = emu.reachable_chat(p)
    media = p.get("media")
    if not isinstance(media, list) or not 2 <= len(media) <= 10:
        raise bad_request("wrong number of media specified; must be 2-10")
    group_id = str(secrets.randbits(60))
    out = []
    for item in media:
        kind = item.get("type", "photo")
        stored = resolve_file(emu, p, item.get("media"), kind)
        parse_mode = item.get("parse_mode") or None
        caption = caption_text(item.get("caption"), parse_mode)
        content, file_id = media_content(emu, kind, stored)
        content["media_group_id"] = group_id
        if caption:
            content["caption"] = caption
        out.append(post(emu, chat, {**p, "reply_markup": None}, kind, content,
                        method="sendMediaGroup", caption=item.get("caption"), plain=caption,
                        parse_mode=parse_mode, file_id=file_id, media_group_id=group_id))
    return out


def _source(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    source = emu.chat_for(required(p, "from_chat_id"))
    original = source.messages.get(int(required(p, "message_id", "message identifier")))
    if original is None:
        raise bad_request("message to copy not found")
    return original


_CONTENT_KEYS = ("text", "caption", "photo", "document", "video", "audio", "voice", "sticker",
                 "video_note", "animation", "location", "contact", "poll")


def _copy_content(original: dict[str, Any], p: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    content = {k: v for k, v in original.items() if k in _CONTENT_KEYS}
    if p.get("caption") is not None:
        content["caption"] = caption_text(p["caption"], p.get("parse_mode") or None)
    kind = next((k for k in content if k not in ("text", "caption")), "text")
    return kind, content


@method("copyMessage")
async def copy_message(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat = emu.reachable_chat(p)
    kind, content = _copy_content(_source(emu, p), p)
    raw = post(emu, chat, p, kind, content, method="copyMessage", text=content.get("text"),
               plain=content.get("text") or content.get("caption"),
               caption=content.get("caption"))
    return {"message_id": raw["message_id"]}


@method("forwardMessage")
async def forward_message(emu: BotApiEmulator, p: dict[str, Any]) -> dict[str, Any]:
    chat = emu.reachable_chat(p)
    original = _source(emu, p)
    kind, content = _copy_content(original, {})
    sender = original.get("from") or {}
    content["forward_origin"] = {"type": "user", "sender_user": sender, "date": original["date"]}
    return post(emu, chat, {}, kind, content, method="forwardMessage", text=content.get("text"),
                plain=content.get("text") or content.get("caption"))
