"""What the emulator records, as plain dataclasses tests can assert on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentMessage:
    """One thing the bot did to a chat: a send, an edit or a delete (see `method`).

    Every action is a new entry in `emu.sent(chat_id)`; `emu.message(chat_id, message_id)` gives
    the current state of one message, with its earlier versions in `history`.
    """

    seq: int
    chat_id: int
    message_id: int
    method: str
    kind: str = "text"  # text | photo | document | video | audio | voice | sticker | ...
    text: str | None = None  # as sent (HTML source when parse_mode == "HTML")
    plain: str | None = None  # what the user sees: text or caption with markup removed
    caption: str | None = None
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None
    file_id: str | None = None  # photo: the largest size
    media_group_id: str | None = None
    reply_to: int | None = None
    edited: bool = False
    deleted: bool = False
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    history: list[SentMessage] = field(default_factory=list, repr=False)

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of the inline keyboard (or reply keyboard), as Telegram dicts."""
        markup = self.reply_markup or {}
        rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    @property
    def callback_data(self) -> list[str]:
        """All callback_data values of the inline keyboard, row by row."""
        return [b["callback_data"] for row in self.buttons for b in row if "callback_data" in b]

    @property
    def button_texts(self) -> list[str]:
        return [b["text"] for row in self.buttons for b in row]

    def button(self, text: str) -> dict[str, Any]:
        """The button whose label is `text` (exact, then substring); KeyError otherwise."""
        flat = [b for row in self.buttons for b in row]
        for found in ([b for b in flat if b["text"] == text] or
                      [b for b in flat if text in b["text"]]):
            return found
        raise KeyError(f"no button {text!r} in {self.button_texts}")


@dataclass(frozen=True)
class CallbackAnswer:
    """The bot's answerCallbackQuery for a press."""

    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int = 0


@dataclass(frozen=True)
class ApiCall:
    """One bot request: method as called, decoded parameters, and the HTTP status answered."""

    method: str
    params: dict[str, Any]
    status: int
    at: float

    def __iter__(self):  # type: ignore[no-untyped-def]
        """Unpacks as `(method, params)`."""
        return iter((self.method, self.params))
