"""Bot API request decoding: query string, JSON, form-urlencoded and multipart alike.

Clients send every value as a string in forms (PTB JSON-encodes objects into form fields), so
known parameters are coerced to the type Telegram documents; uploads become `Upload`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.emulator.errors import bad_request

INT_KEYS = frozenset({"chat_id", "from_chat_id", "message_id", "offset", "limit", "timeout",
                      "cache_time", "user_id", "message_thread_id", "reply_to_message_id",
                      "max_connections", "width", "height", "duration"})
BOOL_KEYS = frozenset({"show_alert", "disable_notification", "protect_content",
                       "drop_pending_updates", "disable_web_page_preview",
                       "allow_sending_without_reply", "has_spoiler", "disable_content_type_detection",
                       "only_if_banned", "show_caption_above_media"})
JSON_KEYS = frozenset({"reply_markup", "media", "commands", "scope", "allowed_updates",
                       "reply_parameters", "link_preview_options", "entities", "caption_entities",
                       "message_ids", "menu_button"})


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body."""

    data: bytes
    filename: str | None
    content_type: str | None

    def __repr__(self) -> str:
        return f"Upload({self.filename!r}, {len(self.data)} bytes)"


def _coerce(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if key in INT_KEYS:
        try:
            return int(value)
        except ValueError:
            return value  # "@channelusername"
    if key in BOOL_KEYS:
        return value.strip().lower() in ("true", "1")
    if key in JSON_KEYS:
        try:
            return json.loads(value)
        except ValueError as exc:
            raise bad_request(f"can't parse {key} JSON object") from exc
    return value


async def _body(request: web.Request) -> dict[str, Any]:
    if request.method not in ("POST", "PUT") or not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        try:
            data = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON request body") from exc
        return dict(data) if isinstance(data, dict) else {}
    out: dict[str, Any] = {}
    for key, value in (await request.post()).items():
        if isinstance(value, web.FileField):
            out[key] = Upload(value.file.read(), value.filename, value.content_type)
        else:
            out[key] = value
    return out


async def read_params(request: web.Request) -> dict[str, Any]:
    """All parameters of a bot request, typed."""
    raw: dict[str, Any] = dict(request.query)
    raw.update(await _body(request))
    return {key: _coerce(key, value) for key, value in raw.items()}


def required(params: dict[str, Any], key: str, what: str | None = None) -> Any:
    """The value of `key`, or Telegram's 'is empty' error."""
    value = params.get(key)
    if value is None or value == "":
        raise bad_request(f"{what or key} is empty")
    return value
