"""A framework's Update → workflow Incoming.

python-telegram-bot and aiogram both model the Bot API with its own field names
(`update.message.text`, `message.from_user`, `callback_query.data`, …), so one translation
serves both adapters; it reads attributes only and imports neither library.
"""

from __future__ import annotations

import re
from typing import Any

from workflow.chat.messages import Incoming, IncomingKind, Sender

BOT_COMMAND = "bot_command"
Update = Message = User = Any   # a PTB or an aiogram object of that Bot API type

# What PostgreSQL (NUL) or Telegram (lone surrogates, noncharacters) refuse to store or send
# back, and C0 controls other than tab / newline / carriage return.
_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_COMMAND_SPLIT = re.compile(r"\s+", re.UNICODE)

# What we ask Telegram for (getUpdates and setWebhook alike).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]

UNSUPPORTED = ("sticker", "voice", "video_note", "video", "audio", "animation", "location",
               "venue", "poll", "dice", "game", "story")


def clean(text: str | None) -> str:
    """Text as we may store and echo it: NUL and the other refused characters removed.

    Applied to every text field a user controls, so neither database (PostgreSQL rejects
    NUL in text) nor Telegram (rejects lone surrogates) ever sees them.
    """
    return _HOSTILE.sub("", text) if text else ""


def sender_of(user: User | None) -> Sender | None:
    if user is None:
        return None
    return Sender(id=user.id, first_name=clean(user.first_name),
                  last_name=clean(user.last_name), username=clean(user.username),
                  language=clean(user.language_code))


def chat_key(update: dict[str, Any]) -> int | None:
    """The chat of an update as Telegram sent it (JSON), or None: its lane, so one chat's
    updates are handled in order. Read before the library parses it."""
    for name in ("message", "edited_message", "channel_post", "edited_channel_post",
                 "my_chat_member", "chat_member", "chat_join_request"):
        event = update.get(name)
        if isinstance(event, dict) and isinstance(event.get("chat"), dict):
            return _int(event["chat"].get("id"))
    cq = update.get("callback_query")
    if isinstance(cq, dict):
        msg = cq.get("message")
        if isinstance(msg, dict) and isinstance(msg.get("chat"), dict):
            return _int(msg["chat"].get("id"))
        return _int((cq.get("from") or {}).get("id"))
    return None


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def to_incoming(update: Update, reply_button_data: dict[str, str],
                bot_username: str = "") -> Incoming | None:
    """None for updates the bot does not act on (edits, service messages, member changes,
    commands addressed to another bot)."""
    if update.callback_query is not None:
        cq = update.callback_query
        msg = cq.message
        if msg is not None and _from_another_bot(msg, bot_username):
            return None
        chat = msg.chat if msg is not None else None
        return Incoming(
            update_id=update.update_id, chat_id=chat.id if chat else cq.from_user.id,
            chat_type=chat.type if chat else "private", kind="button",
            sender=sender_of(cq.from_user), message_id=msg.message_id if msg else 0,
            data=clean(cq.data), chat_title=clean(chat.title) if chat else "")
    if update.message is None:
        return None
    return _from_message(update.update_id, update.message, reply_button_data, bot_username)


def _from_another_bot(msg: Message, bot_username: str) -> bool:
    """A button under a message another bot sent: an update meant for that bot."""
    author = getattr(msg, "from_user", None)
    return bool(author is not None and author.is_bot and bot_username
                and (author.username or "").lower() != bot_username.lower())


def _reply_to(m: Message) -> int:
    """The message this one answers with Telegram's reply (0: none)."""
    replied = getattr(m, "reply_to_message", None)
    return int(replied.message_id) if replied is not None else 0


def _from_message(update_id: int, m: Message, reply_button_data: dict[str, str],
                  bot_username: str) -> Incoming | None:
    base = {"update_id": update_id, "chat_id": m.chat.id, "chat_type": m.chat.type,
            "sender": sender_of(m.from_user), "message_id": m.message_id,
            "chat_title": clean(m.chat.title),
            "reply_to": _reply_to(m)}
    kind: IncomingKind
    if m.text is not None:
        text = clean(m.text)
        command = _command(m, text, bot_username)
        if command == NOT_OURS:
            return None
        if command is not None:
            name, args = command
            return Incoming(kind="command", command=name, args=args, text=text, **base)
        data = reply_button_data.get(text.strip())
        if data is not None:
            return Incoming(kind="button", data=data, text=text, **base)
        return Incoming(kind="text", text=text, **base)
    if m.photo:
        biggest = m.photo[-1]
        return Incoming(kind="photo", text=clean(m.caption), file_id=biggest.file_id,
                        file_unique_id=biggest.file_unique_id, **base)
    if m.document is not None:
        d = m.document
        return Incoming(kind="document", text=clean(m.caption), file_id=d.file_id,
                        file_unique_id=d.file_unique_id, file_name=clean(d.file_name), **base)
    if m.contact is not None:
        return Incoming(kind="contact", contact_phone=clean(m.contact.phone_number),
                        contact_user_id=m.contact.user_id, **base)
    if m.location is not None:       # a venue carries its location too
        return Incoming(kind="location", latitude=m.location.latitude,
                        longitude=m.location.longitude, **base)
    if m.voice is not None:
        v = m.voice
        return Incoming(kind="voice", file_id=v.file_id, file_unique_id=v.file_unique_id,
                        duration=int(v.duration.total_seconds() if hasattr(v.duration, "total_seconds")
                                     else v.duration or 0),
                        file_size=v.file_size or 0, text=clean(m.caption), **base)
    for what in UNSUPPORTED:
        if getattr(m, what, None):
            kind = "unsupported"
            return Incoming(kind=kind, unsupported=what, **base)
    return None


NOT_OURS = ("", "")


def _command(m: Message, text: str, bot_username: str) -> tuple[str, str] | None:
    """(name, args) of a leading /command; NOT_OURS for /command@otherbot.

    Arguments may follow on the next line (`/join\nCODE`): any whitespace separates them.
    """
    entities = m.entities or ()
    if not any(e.type == BOT_COMMAND and e.offset == 0 for e in entities):
        return None
    head, *rest = _COMMAND_SPLIT.split(text.strip(), maxsplit=1)
    name, _, addressee = head[1:].partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return NOT_OURS
    return name.lower(), (rest[0].strip() if rest else "")
