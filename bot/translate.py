"""A framework's Update → workflow Incoming.

python-telegram-bot and aiogram both model the Bot API with its own field names
(`update.message.text`, `message.from_user`, `callback_query.data`, …), so one translation
serves both adapters; it reads attributes only and imports neither library.
"""

from __future__ import annotations

from typing import Any

from workflow.chat.messages import Incoming, IncomingKind, Sender

BOT_COMMAND = "bot_command"
Update = Message = User = Any   # a PTB or an aiogram object of that Bot API type

UNSUPPORTED = ("sticker", "voice", "video_note", "video", "audio", "animation", "location",
               "venue", "poll", "dice", "game", "story")


def sender_of(user: User | None) -> Sender | None:
    if user is None:
        return None
    return Sender(id=user.id, first_name=user.first_name or "", last_name=user.last_name or "",
                  username=user.username or "", language=user.language_code or "")


def to_incoming(update: Update, reply_button_data: dict[str, str]) -> Incoming | None:
    """None for updates the bot does not act on (edits, service messages, member changes)."""
    if update.callback_query is not None:
        cq = update.callback_query
        msg = cq.message
        chat = msg.chat if msg is not None else None
        return Incoming(
            update_id=update.update_id, chat_id=chat.id if chat else cq.from_user.id,
            chat_type=chat.type if chat else "private", kind="button",
            sender=sender_of(cq.from_user), message_id=msg.message_id if msg else 0,
            data=cq.data or "", chat_title=(chat.title or "") if chat else "")
    if update.message is None:
        return None
    return _from_message(update.update_id, update.message, reply_button_data)


def _from_message(update_id: int, m: Message, reply_button_data: dict[str, str]) -> Incoming | None:
    base = {"update_id": update_id, "chat_id": m.chat.id, "chat_type": m.chat.type,
            "sender": sender_of(m.from_user), "message_id": m.message_id,
            "chat_title": m.chat.title or "",
            "reply_to": m.reply_to_message.message_id if m.reply_to_message else 0}
    kind: IncomingKind
    if m.text is not None:
        command = _command(m)
        if command is not None:
            name, args = command
            return Incoming(kind="command", command=name, args=args, text=m.text, **base)
        data = reply_button_data.get(m.text.strip())
        if data is not None:
            return Incoming(kind="button", data=data, text=m.text, **base)
        return Incoming(kind="text", text=m.text, **base)
    if m.photo:
        biggest = m.photo[-1]
        return Incoming(kind="photo", text=m.caption or "", file_id=biggest.file_id,
                        file_unique_id=biggest.file_unique_id, **base)
    if m.document is not None:
        d = m.document
        return Incoming(kind="document", text=m.caption or "", file_id=d.file_id,
                        file_unique_id=d.file_unique_id, file_name=d.file_name or "", **base)
    if m.contact is not None:
        return Incoming(kind="contact", contact_phone=m.contact.phone_number,
                        contact_user_id=m.contact.user_id, **base)
    if m.location is not None:       # a venue carries its location too
        return Incoming(kind="location", latitude=m.location.latitude,
                        longitude=m.location.longitude, **base)
    if m.voice is not None:
        v = m.voice
        return Incoming(kind="voice", file_id=v.file_id, file_unique_id=v.file_unique_id,
                        duration=int(v.duration.total_seconds() if hasattr(v.duration, "total_seconds")
                                     else v.duration or 0),
                        file_size=v.file_size or 0, text=m.caption or "", **base)
    for what in UNSUPPORTED:
        if getattr(m, what, None):
            kind = "unsupported"
            return Incoming(kind=kind, unsupported=what, **base)
    return None


def _command(m: Message) -> tuple[str, str] | None:
    entities = m.entities or ()
    if not any(e.type == BOT_COMMAND and e.offset == 0 for e in entities):
        return None
    head, _, args = (m.text or "").partition(" ")
    name = head[1:].split("@", 1)[0].lower()
    return name, args.strip()
