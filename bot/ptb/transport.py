"""Sending rendered messages with PTB, and mapping Telegram's errors to delivery outcomes."""

from __future__ import annotations

import html
import logging
import re

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.render import Rendered, Renderer
from workflow.delivery import PermanentFailure, RetryLater, TransientFailure
from workflow.messages import Outgoing

log = logging.getLogger("zhiyong.ptb")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def markup(part: Rendered) -> Markup:
    if part.buttons:
        return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)
                                      for label, data in row] for row in part.buttons])
    if part.keyboard:
        return ReplyKeyboardMarkup([[KeyboardButton(label, request_contact=contact)
                                     for label, contact in row] for row in part.keyboard],
                                   resize_keyboard=True, one_time_keyboard=True)
    if part.remove_keyboard:
        return ReplyKeyboardRemove()
    return None


def strip_html(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class PtbTransport:
    """Implements workflow.delivery.Transport; also used for direct replies."""

    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        self.bot, self.renderer = bot, renderer
        self.send_timeout: float | None = None   # seconds to wait for an answer; None: PTB's

    def _timeouts(self) -> dict[str, float]:
        return {} if self.send_timeout is None else {"read_timeout": self.send_timeout}

    async def send(self, out: Outgoing) -> int | None:
        try:
            return await self.send_parts(self.renderer.render(out))
        except RetryAfter as exc:
            raise RetryLater(_seconds(exc.retry_after)) from exc
        except Forbidden as exc:
            raise PermanentFailure(f"forbidden: {exc.message}") from exc
        except BadRequest as exc:
            raise PermanentFailure(f"bad request: {exc.message}") from exc
        except (TimedOut, NetworkError) as exc:
            raise TransientFailure(str(exc)) from exc

    async def send_parts(self, parts: list[Rendered]) -> int | None:
        first: int | None = None
        for part in parts:
            message_id = await self._send_one(part)
            first = first if first is not None else message_id
        return first

    async def _send_one(self, part: Rendered) -> int | None:
        try:
            return await self._call(part, part.text, ParseMode.HTML)
        except BadRequest as exc:
            if "parse entities" not in exc.message.lower():
                raise
            # Our escaping failed somewhere: never lose the message, send it as plain text.
            log.error("HTML rejected by Telegram (%s); sending plain text", exc.message)
            return await self._call(part, strip_html(part.text), None)

    async def _call(self, part: Rendered, text: str, mode: str | None) -> int | None:
        kb = markup(part)
        if part.edit_message_id is not None:
            try:
                m = await self.bot.edit_message_text(
                    text, chat_id=part.chat_id, message_id=part.edit_message_id, parse_mode=mode,
                    reply_markup=kb if isinstance(kb, InlineKeyboardMarkup) else None,
                    **self._timeouts())
            except BadRequest as exc:
                if "not modified" in exc.message.lower():
                    return part.edit_message_id
                raise
            return part.edit_message_id if isinstance(m, bool) else m.message_id
        if part.media is not None:
            send = self.bot.send_photo if part.media.kind == "photo" else self.bot.send_document
            m = await send(part.chat_id, part.media.file_id, caption=text or None,
                           parse_mode=mode, reply_markup=kb, **self._timeouts())
            return m.message_id
        m = await self.bot.send_message(part.chat_id, text, parse_mode=mode, reply_markup=kb,
                                        **self._timeouts())
        return m.message_id


def _seconds(retry_after: object) -> float:
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]


__all__ = ["PtbTransport", "TelegramError"]
