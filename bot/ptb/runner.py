"""Runs the real python-telegram-bot Application (long polling), the outbox sender and the
deadline scheduler (APScheduler: the sweep and the cron digests)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app import App
from bot.background import Background
from bot.ptb.transport import PtbTransport
from bot.translate import to_incoming
from workflow.chat import dispatch
from workflow.chat.messages import Response

log = logging.getLogger("zhiyong.ptb")


class PtbBot:
    def __init__(self, app: App, token: str) -> None:
        self.app = app
        api = app.settings.telegram.api_url
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(token)
            .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
            .get_updates_read_timeout(app.settings.telegram.poll_timeout + 10)
            .build())
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.transport = PtbTransport(self.application.bot, app.renderer)
        self.background = Background(app, self.transport)
        self.sender, self.scheduler = self.background.sender, self.background.scheduler

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update, self.app.renderer.reply_labels)
        if incoming is None:
            return
        resp = await dispatch.handle(self.app.ctx, incoming)
        self.sender.wake()   # the replies were queued in the update's transaction
        await self._answer(update, resp)

    async def _answer(self, update: Update, resp: Response) -> None:
        if update.callback_query is None:
            return
        text = self.app.renderer.plain(resp.answer_key, resp.answer_params, resp.script)
        try:
            await update.callback_query.answer(text or None, show_alert=resp.answer_alert)
        except BadRequest as exc:  # e.g. a redelivered, already answered query
            log.warning("callback answer failed: %s", exc.message)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)

    async def start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            poll_interval=0, timeout=self.app.settings.telegram.poll_timeout,
            allowed_updates=Update.ALL_TYPES)
        self.background.start()

    async def stop(self) -> None:
        await self.background.stop()
        if self.application.updater and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def __aenter__(self) -> PtbBot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

