"""Outgoing (template key + params) → Telegram-ready HTML parts, keyboards and media.

Every parameter is HTML-escaped before it meets a template, so `<b>`, `&` or `<script>` in a
complaint are shown as typed and never break a message. Texts over Telegram's limits are split.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.templates import (
    LIST_SEPARATOR,
    NO,
    NOTES,
    ROLE_NAMES,
    STATE_NAMES,
    STEP_NAMES,
    TEXTS,
    UNSUPPORTED_NAMES,
    YES,
)
from workflow.chat import script
from workflow.chat.callbacks import ANONYMOUS
from workflow.chat.messages import Media, Outgoing

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
REPLY_BUTTON_DATA = {"btn.anonymous": ANONYMOUS}   # reply-keyboard labels that mean a button

log = logging.getLogger("zhiyong.render")


@dataclass
class Rendered:
    chat_id: int
    text: str
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    keyboard: list[list[tuple[str, bool]]] = field(default_factory=list)
    remove_keyboard: bool = False
    media: Media | None = None
    edit_message_id: int | None = None
    silent: bool = False
    reply_to: int | None = None


class Renderer:
    def __init__(self, categories: Mapping[str, str], departments: Mapping[str, str],
                 tz: ZoneInfo) -> None:
        self.categories, self.departments, self.tz = categories, departments, tz
        # a reply-keyboard label means its button in every script, whichever was shown
        self.reply_labels = {script.convert(TEXTS[k], p): data
                             for k, data in REPLY_BUTTON_DATA.items() for p in script.PROFILES}

    # ---- text ----
    def text(self, key: str, params: Mapping[str, Any] | None = None) -> str:
        template = TEXTS.get(key)
        if template is None:       # a bug of ours, not the user's: say so loudly, show something
            log.error("unknown template key %r; showing error.generic", key)
            template = TEXTS["error.generic"]
        view = self.view(params or {})
        return template(view) if callable(template) else template.format_map(_Lenient(view))

    def plain(self, key: str | None, params: Mapping[str, Any] | None = None,
              profile: str | None = None) -> str:
        """For alerts (answerCallbackQuery shows no HTML), in the presser's script."""
        if not key:
            return ""
        return html.unescape(script.convert(self.text(key, params), profile))[:200]

    def view(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view: dict[str, Any] = {}
        for k, v in params.items():
            view[k + "_raw"] = v
            view[k] = self._value(k, v)
        return view

    def _value(self, key: str, v: Any) -> Any:
        if v is None:
            return ""
        if isinstance(v, bool):
            return YES if v else NO
        if isinstance(v, list):
            return [self.view(i) if isinstance(i, dict) else i for i in v] if key == "items" \
                else LIST_SEPARATOR.join(html.escape(str(i), quote=False) for i in v)
        names = {"category": self.categories, "department": self.departments,
                 "state": STATE_NAMES, "step": STEP_NAMES, "what": UNSUPPORTED_NAMES,
                 "moved_to": self.departments, "returned_from": self.departments,
                 "routed_to": self.departments, "now_department": self.departments,
                 "role": ROLE_NAMES}
        if key in names and isinstance(v, str):
            return html.escape(names[key].get(v, v), quote=False)
        if key == "note" and isinstance(v, str):
            return html.escape(self.note(v), quote=False)
        if isinstance(v, datetime) or (isinstance(v, str) and _is_time_key(key)):
            return self.when(v)
        return html.escape(str(v), quote=False)

    def note(self, code: str) -> str:
        kind, _, arg = code.partition(":")
        template = NOTES.get(kind, code)
        return template.format(department=self.departments.get(arg, arg))

    def when(self, v: datetime | str) -> str:
        try:
            dt = v if isinstance(v, datetime) else datetime.fromisoformat(v)
        except ValueError:
            return html.escape(str(v), quote=False)
        return dt.astimezone(self.tz).strftime("%Y-%m-%d %H:%M")

    # ---- messages ----
    def render(self, out: Outgoing) -> list[Rendered]:
        body = script.convert(self.text(out.key, out.params), out.script)
        chunks = split_html(body, CAPTION_LIMIT if out.media else TEXT_LIMIT)
        if out.media and len(chunks) > 1:
            chunks = [""] + split_html(body, TEXT_LIMIT)
        parts = [Rendered(out.chat_id, c, silent=out.silent) for c in chunks]
        parts[0].media, parts[0].edit_message_id = out.media, out.edit_message_id
        parts[0].reply_to = out.reply_to
        last = parts[-1]
        label = lambda key, params=None: script.convert(self.text(key, params), out.script)  # noqa: E731
        last.buttons = [[(label(b.key, b.params), b.data) for b in row] for row in out.buttons]
        last.keyboard = [[(label(b.key), b.request_contact) for b in row] for row in out.keyboard]
        last.remove_keyboard = out.remove_keyboard
        return parts



class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def _is_time_key(key: str) -> bool:
    return key.endswith(("_due", "_at")) or key in ("due", "deadline")


def split_html(text: str, limit: int) -> list[str]:
    """Split at line breaks where possible, never inside a tag or an &entity;."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut < limit // 2:
            cut = _safe_cut(text, limit)
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _safe_cut(text: str, limit: int) -> int:
    cut = limit
    amp, lt = text.rfind("&", 0, cut), text.rfind("<", 0, cut)
    if amp != -1 and text.find(";", amp, cut) == -1:
        cut = amp
    if lt != -1 and text.find(">", lt, cut) == -1:
        cut = min(cut, lt)
    return cut

