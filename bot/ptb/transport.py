"""Sending rendered messages with python-telegram-bot (the shared part is bot/transport.py)."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.render import Rendered, Renderer
from bot.transport import BotTransport, keyboard, seconds
from workflow.outbox.sender import PermanentFailure, RetryLater, TransientFailure

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


KINDS = {"inline": InlineKeyboardMarkup, "reply": ReplyKeyboardMarkup,
         "remove": ReplyKeyboardRemove}


def markup(part: Rendered) -> Markup:
    found = keyboard(part)
    return KINDS[found[0]].de_json(found[1], None) if found else None  # type: ignore[attr-defined]


def _thread(part: Rendered) -> dict[str, object]:
    """Under the message it answers (a ticket's card); sent all the same if that is gone."""
    if part.reply_to is None:
        return {}
    return {"reply_to_message_id": part.reply_to, "allow_sending_without_reply": True}


class PtbTransport(BotTransport):
    """Sends with python-telegram-bot's Bot."""

    def __init__(self, bot: Bot, renderer: Renderer) -> None:
        super().__init__(renderer)
        self.bot = bot
        self.send_timeout: float | None = None   # seconds to wait for an answer; None: PTB's

    def _timeouts(self) -> dict[str, float]:
        return {} if self.send_timeout is None else {"read_timeout": self.send_timeout}

    def outcome(self, exc: Exception) -> Exception | None:
        if isinstance(exc, RetryAfter):
            return RetryLater(seconds(exc.retry_after))
        if isinstance(exc, Forbidden):
            return PermanentFailure(f"forbidden: {exc.message}")
        if isinstance(exc, BadRequest):
            return PermanentFailure(f"bad request: {exc.message}")
        if isinstance(exc, TimedOut | NetworkError):
            return TransientFailure(str(exc))
        return None

    def is_parse_error(self, exc: Exception) -> bool:
        return isinstance(exc, BadRequest) and "parse entities" in exc.message.lower()

    async def call(self, part: Rendered, text: str, mode: str | None) -> int | None:
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
            send = {"photo": self.bot.send_photo, "voice": self.bot.send_voice}.get(
                part.media.kind, self.bot.send_document)
            m = await send(part.chat_id, part.media.file_id, caption=text or None,
                           parse_mode=mode, reply_markup=kb, disable_notification=part.silent,
                           **_thread(part), **self._timeouts())
            return m.message_id
        m = await self.bot.send_message(part.chat_id, text, parse_mode=mode, reply_markup=kb,
                                        disable_notification=part.silent, **_thread(part),
                                        **self._timeouts())
        return m.message_id

