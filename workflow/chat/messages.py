"""What the bot hears and says, without any Telegram library.

Adapters translate a framework update into `Incoming` and each `Outgoing` into API calls;
every text is a template key plus parameters, rendered at the edge.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any, Literal

from workflow.model import OutboxMessage

CARD_KINDS = ("card", "card_edit")   # outbox kinds of the rows that put a ticket card in a chat

IncomingKind = Literal["text", "command", "button", "photo", "document", "contact", "location",
                       "voice", "unsupported"]


@dataclass(frozen=True)
class Sender:
    id: int
    first_name: str = ""
    last_name: str = ""
    username: str = ""
    language: str = ""


@dataclass(frozen=True)
class Incoming:
    update_id: int
    chat_id: int
    chat_type: str                   # private | group | supergroup | channel
    kind: IncomingKind
    sender: Sender | None = None
    message_id: int = 0              # of the message sent, or of the message whose button was pressed
    text: str = ""                   # text, or caption of a photo/document
    command: str = ""                # without slash and @botname
    args: str = ""
    data: str = ""                   # callback data of a button
    file_id: str = ""
    file_unique_id: str = ""
    file_name: str = ""
    contact_phone: str = ""
    contact_user_id: int | None = None
    unsupported: str = ""            # sticker | voice | video_note | location | poll | …
    chat_title: str = ""
    reply_to: int = 0                # the message this one answers by Telegram's reply (0: none)
    latitude: float | None = None    # a shared location
    longitude: float | None = None
    duration: int = 0                # a voice message's seconds
    file_size: int = 0

    @property
    def is_private(self) -> bool:
        return self.chat_type == "private"


@dataclass(frozen=True)
class Button:
    """An inline button (data) or a reply-keyboard button (request_contact / plain text)."""

    key: str
    data: str = ""
    request_contact: bool = False
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Media:
    """A file Telegram already has (`file_id`), or bytes the bot made (`data`) to upload."""

    kind: Literal["photo", "document", "voice"]
    file_id: str = ""
    data: bytes = b""
    file_name: str = ""


@dataclass
class Outgoing:
    chat_id: int
    key: str
    params: dict[str, Any] = field(default_factory=dict)
    buttons: list[list[Button]] = field(default_factory=list)
    keyboard: list[list[Button]] = field(default_factory=list)
    remove_keyboard: bool = False
    media: Media | None = None
    edit_message_id: int | None = None
    edit_card_of: int | None = None  # a ticket id: edit its card here, found when delivered
    script: str | None = None        # the reader's script (workflow.chat.script); None: look it up
    silent: bool = False             # delivered without a sound (disable_notification)
    ring: bool = False               # must wake the reader (an urgent chase to the duty contact)
    thread_card_of: int | None = None  # a ticket id: reply under its card here, found when sent
    reply_to: int | None = None      # the message this one replies to (resolved by the sender)


@dataclass
class Response:
    """The reply to one update: messages for the current chat and an optional button answer."""

    messages: list[Outgoing] = field(default_factory=list)
    answer_key: str | None = None
    answer_params: dict[str, Any] = field(default_factory=dict)
    answer_alert: bool = False
    claimed: list[OutboxMessage] = field(default_factory=list)   # replies this process sends
    script: str | None = None        # the script of the chat the update came from

    def say(self, chat_id: int, key: str, **params: Any) -> Outgoing:
        out = Outgoing(chat_id=chat_id, key=key, params=params)
        self.messages.append(out)
        return out

    def answer(self, key: str, alert: bool = False, **params: Any) -> None:
        self.answer_key, self.answer_alert, self.answer_params = key, alert, params


def to_payload(out: Outgoing) -> dict[str, Any]:
    """Serialise an Outgoing for the outbox (JSON-safe)."""
    return {
        "key": out.key,
        "params": out.params,
        "buttons": [[_button_dict(b) for b in row] for row in out.buttons],
        "keyboard": [[_button_dict(b) for b in row] for row in out.keyboard],
        "remove_keyboard": out.remove_keyboard,
        "media": _media_dict(out.media) if out.media else None,
        "edit_message_id": out.edit_message_id,
        "edit_card_of": out.edit_card_of,
        "script": out.script,
        "silent": out.silent,
        "thread_card_of": out.thread_card_of,
        "reply_to": out.reply_to,
    }


def from_payload(chat_id: int, payload: dict[str, Any]) -> Outgoing:
    media = payload.get("media")
    return Outgoing(
        chat_id=chat_id,
        key=payload["key"],
        params=payload.get("params", {}),
        buttons=[[Button(**b) for b in row] for row in payload.get("buttons", [])],
        keyboard=[[Button(**b) for b in row] for row in payload.get("keyboard", [])],
        remove_keyboard=bool(payload.get("remove_keyboard", False)),
        media=_media_of(media) if media else None,
        edit_message_id=payload.get("edit_message_id"),
        edit_card_of=payload.get("edit_card_of"),
        script=payload.get("script"),
        silent=bool(payload.get("silent", False)),
        thread_card_of=payload.get("thread_card_of"),
        reply_to=payload.get("reply_to"),
    )


def _button_dict(b: Button) -> dict[str, Any]:
    return {"key": b.key, "data": b.data, "request_contact": b.request_contact, "params": b.params}


def _media_dict(m: Media) -> dict[str, Any]:
    """Generated bytes travel in the outbox row as base64 (a 15-department chart: ~110 kB)."""
    d: dict[str, Any] = {"kind": m.kind, "file_id": m.file_id}
    if m.data:
        d.update(data=base64.b64encode(m.data).decode("ascii"), file_name=m.file_name)
    return d


def _media_of(d: dict[str, Any]) -> Media:
    data = base64.b64decode(d["data"]) if d.get("data") else b""
    return Media(d["kind"], d.get("file_id", ""), data, d.get("file_name", ""))
