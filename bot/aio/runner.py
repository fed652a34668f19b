"""Runs aiogram's Dispatcher (long polling) with the same dispatch, outbox and scheduler.

Routers group the handlers by audience, as in aiogram's examples: citizens (and staff
dialogs) in private chats, department groups. Each handler is thin: the update becomes an
Incoming, workflow.chat.dispatch handles it, the Response is rendered and sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message, Update

from bot.aio.transport import AiogramTransport
from bot.app import App
from bot.background import Background
from bot.translate import to_incoming
from workflow.chat import dispatch
from workflow.chat.messages import Response

log = logging.getLogger("zhiyong.aiogram")
GROUPS = ("group", "supergroup")


class AiogramBot:
    def __init__(self, app: App, token: str) -> None:
        self.app = app
        session = AiohttpSession(api=TelegramAPIServer.from_base(app.settings.telegram.api_url))
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher()
        self.dispatcher.include_routers(self._router("citizens", F.chat.type == "private",
                                                     F.message.chat.type == "private"),
                                        self._router("groups", F.chat.type.in_(GROUPS),
                                                     F.message.chat.type.in_(GROUPS)))
        self.transport = AiogramTransport(self.bot, app.renderer)
        self.background = Background(app, self.transport)
        self.sender, self.scheduler = self.background.sender, self.background.scheduler
        self._polling: asyncio.Task[None] | None = None

    def _router(self, name: str, messages: object, buttons: object) -> Router:
        router = Router(name=name)
        router.message.filter(messages)
        router.callback_query.filter(buttons)
        router.message.register(self._on_message)
        router.callback_query.register(self._on_button)
        return router

    async def _on_message(self, message: Message, event_update: Update) -> None:
        await self._handle(event_update)

    async def _on_button(self, query: CallbackQuery, event_update: Update) -> None:
        resp = await self._handle(event_update)
        text = self.app.renderer.plain(resp.answer_key, resp.answer_params, resp.script) if resp else ""
        try:
            await query.answer(text or None, show_alert=bool(resp and resp.answer_alert))
        except TelegramBadRequest as exc:  # e.g. a redelivered, already answered query
            log.warning("callback answer failed: %s", exc.message)

    async def _handle(self, update: Update) -> Response | None:
        incoming = to_incoming(update, self.app.renderer.reply_labels)
        if incoming is None:
            return None
        resp = await dispatch.handle(self.app.ctx, incoming)
        self.sender.wake()   # the replies were queued in the update's transaction
        return resp

    async def start(self) -> None:
        self._polling = asyncio.create_task(self.dispatcher.start_polling(
            self.bot, handle_signals=False, close_bot_session=False,
            polling_timeout=self.app.settings.telegram.poll_timeout))
        self.background.start()

    async def stop(self) -> None:
        await self.background.stop()
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):   # polling had not started yet
                await self.dispatcher.stop_polling()
            with contextlib.suppress(asyncio.CancelledError):
                await self._polling
        await self.bot.session.close()

    async def __aenter__(self) -> AiogramBot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
