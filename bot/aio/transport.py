"""Sending rendered messages with aiogram (the shared part is bot/transport.py)."""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot.render import Rendered, Renderer
from bot.transport import BotTransport, keyboard, seconds
from workflow.outbox.sender import PermanentFailure, RetryLater, TransientFailure

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


KINDS = {"inline": InlineKeyboardMarkup, "reply": ReplyKeyboardMarkup,
         "remove": ReplyKeyboardRemove}


def markup(part: Rendered) -> Markup:
    found = keyboard(part)
    return KINDS[found[0]].model_validate(found[1]) if found else None  # type: ignore[attr-defined]


def _thread(part: Rendered) -> dict[str, Any]:
    """Under the message it answers (a ticket's card); sent all the same if that is gone."""
    if part.reply_to is None:
        return {}
    return {"reply_to_message_id": part.reply_to, "allow_sending_without_reply": True}


class AiogramTransport(BotTransport):
    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        super().__init__(renderer)
        self.bot = bot

    def outcome(self, exc: Exception) -> Exception | None:
        if isinstance(exc, TelegramRetryAfter):
            return RetryLater(seconds(exc.retry_after))
        if isinstance(exc, TelegramForbiddenError | TelegramNotFound):
            return PermanentFailure(f"forbidden: {exc.message}")
        if isinstance(exc, TelegramBadRequest):
            return PermanentFailure(f"bad request: {exc.message}")
        if isinstance(exc, TelegramServerError | TelegramNetworkError | TimeoutError):
            return TransientFailure(str(exc))
        return None

    def is_parse_error(self, exc: Exception) -> bool:
        return isinstance(exc, TelegramBadRequest) and "parse entities" in exc.message.lower()

    async def call(self, part: Rendered, text: str, mode: str | None) -> int | None:
        kb = markup(part)
        if part.edit_message_id is not None:
            try:
                m = await self.bot.edit_message_text(
                    text=text, chat_id=part.chat_id, message_id=part.edit_message_id,
                    parse_mode=mode,
                    reply_markup=kb if isinstance(kb, InlineKeyboardMarkup) else None)
            except TelegramBadRequest as exc:
                if "not modified" in exc.message.lower():
                    return part.edit_message_id
                raise
            return part.edit_message_id if isinstance(m, bool) else m.message_id
        if part.media is not None and part.media.kind == "photo":
            m = await self.bot.send_photo(part.chat_id, photo=part.media.file_id,
                                          caption=text or None, parse_mode=mode, reply_markup=kb,
                                          disable_notification=part.silent, **_thread(part))
            return m.message_id
        if part.media is not None and part.media.kind == "voice":
            m = await self.bot.send_voice(part.chat_id, voice=part.media.file_id,
                                          caption=text or None, parse_mode=mode, reply_markup=kb,
                                          disable_notification=part.silent, **_thread(part))
            return m.message_id
        if part.media is not None:
            m = await self.bot.send_document(part.chat_id, document=part.media.file_id,
                                             caption=text or None, parse_mode=mode,
                                             reply_markup=kb, disable_notification=part.silent,
                                             **_thread(part))
            return m.message_id
        m = await self.bot.send_message(part.chat_id, text, parse_mode=mode, reply_markup=kb,
                                        disable_notification=part.silent, **_thread(part))
        return m.message_id
