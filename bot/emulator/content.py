"""Validation shared by sends and edits: visible text, length limits, reply markup."""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request
from bot.emulator.html import plain_text, utf16_len

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
_ACTIONS = ("callback_data", "url", "switch_inline_query", "switch_inline_query_current_chat",
            "switch_inline_query_chosen_chat", "callback_game", "pay", "login_url", "web_app",
            "copy_text")


def _visible(text: str, parse_mode: str | None) -> str:
    if parse_mode and parse_mode.lower() == "html":
        return plain_text(text)
    return text


def message_text(text: Any, parse_mode: str | None) -> str:
    """The visible text of a message, or Telegram's 400 for empty / too long / bad HTML."""
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    plain = _visible(str(text), parse_mode).strip()
    if not plain:
        raise bad_request("message text is empty")
    if utf16_len(plain) > TEXT_LIMIT:
        raise bad_request("message is too long")
    return plain


def caption_text(caption: Any, parse_mode: str | None) -> str | None:
    """The visible caption (None when absent), or Telegram's 400."""
    if caption is None or caption == "":
        return None
    plain = _visible(str(caption), parse_mode).strip()
    if utf16_len(plain) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    return plain or None


def _check_inline(markup: dict[str, Any]) -> None:
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array "
                          "of Arrays")
    for button in (b for row in rows for b in row):
        if not isinstance(button, dict) or not button.get("text"):
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in "
                              "the inline keyboard")
        if not any(k in button for k in _ACTIONS):
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in "
                              "the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
            raise bad_request("BUTTON_DATA_INVALID")


def reply_markup(value: Any) -> dict[str, Any] | None:
    """A validated reply_markup dict (PTB may send it as a JSON string, already decoded)."""
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        _check_inline(value)
    return value


def inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """Telegram echoes only inline keyboards back in the Message."""
    return markup if markup and "inline_keyboard" in markup else None
