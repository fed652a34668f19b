"""What every adapter's transport does the same way: render, split, send part by part, fall
back to plain text if Telegram rejects our HTML, and map its errors to delivery outcomes.

An adapter supplies three things: how to make one API call, which of its exceptions means
which outcome, and how it reports an HTML parse error.
"""

from __future__ import annotations

import html
import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from bot.monitoring import metrics
from bot.render import Rendered, Renderer
from workflow.chat.messages import Outgoing

log = logging.getLogger("zhiyong.transport")


def strip_html(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def keyboard(part: Rendered) -> tuple[str, dict[str, Any]] | None:
    """The part's keyboard as Bot API JSON with its kind (inline / reply / remove): each
    adapter only turns it into its library's object."""
    if part.buttons:
        return "inline", {"inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row]
            for row in part.buttons]}
    if part.keyboard:
        return "reply", {"keyboard": [
            [{"text": label, "request_contact": contact} for label, contact in row]
            for row in part.keyboard], "resize_keyboard": True, "one_time_keyboard": True}
    if part.remove_keyboard:
        return "remove", {"remove_keyboard": True}
    return None


def seconds(retry_after: object) -> float:
    """retry_after as seconds, whether the library gives an int or a timedelta."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]


class BotTransport(ABC):
    """Implements workflow.outbox.sender.Transport; `send_parts` also serves direct replies."""

    def __init__(self, renderer: Renderer) -> None:
        self.renderer = renderer

    async def send(self, out: Outgoing) -> int | None:
        try:
            return await self.send_parts(self.renderer.render(out))
        except Exception as exc:
            outcome = self.outcome(exc)
            if outcome is None:
                raise
            raise outcome from exc

    async def send_parts(self, parts: list[Rendered]) -> int | None:
        first: int | None = None
        for part in parts:
            message_id = await self._send_one(part)
            first = first if first is not None else message_id
        return first

    async def _send_one(self, part: Rendered) -> int | None:
        try:
            return await self.call(part, part.text, "HTML")
        except Exception as exc:
            metrics.telegram_error(exc)
            if not self.is_parse_error(exc):
                raise
            # Our escaping failed somewhere: never lose the message, send it as plain text.
            log.error("HTML rejected by Telegram (%s); sending plain text", exc)
            return await self.call(part, strip_html(part.text), None)

    @abstractmethod
    async def call(self, part: Rendered, text: str, mode: str | None) -> int | None:
        """Send or edit one part; return its message id."""

    @abstractmethod
    def outcome(self, exc: Exception) -> Exception | None:
        """RetryLater / TransientFailure / PermanentFailure for `exc`, None to re-raise it."""

    @abstractmethod
    def is_parse_error(self, exc: Exception) -> bool:
        """Did Telegram refuse the HTML of the message?"""
