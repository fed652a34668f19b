"""Runs the real python-telegram-bot Application (long polling), the outbox sender and the
deadline scheduler (APScheduler: the sweep and the cron digests)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app import App
from bot.ptb.transport import PtbTransport
from bot.scheduler import DeadlineScheduler
from bot.translate import to_incoming
from workflow import dispatch
from workflow.delivery import DeliveryPolicy, OutboxSender
from workflow.messages import Response
from workflow.ratelimit import RateLimiter, RateLimits

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
        worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.sender = OutboxSender(app.ctx, self.transport, worker, *delivery_of(app))
        self.scheduler = DeadlineScheduler(app, worker, self.sender.wake)
        self._sender_task: asyncio.Task[None] | None = None

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update, self.app.renderer.reply_labels)
        if incoming is None:
            return
        resp = await dispatch.handle(self.app.ctx, incoming)
        await self._answer(update, resp)
        for out in resp.messages:
            await self.transport.send_parts(self.app.renderer.render(out))
        self.sender.wake()

    async def _answer(self, update: Update, resp: Response) -> None:
        if update.callback_query is None:
            return
        text = self.app.renderer.plain(resp.answer_key, resp.answer_params)
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
        self._sender_task = asyncio.create_task(
            self.sender.run_forever(self.app.settings.scheduler.outbox_poll_seconds))
        if self.app.settings.scheduler.enabled:
            self.scheduler.start()

    async def stop(self) -> None:
        self.scheduler.shutdown()
        if self._sender_task:
            self._sender_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sender_task
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


def delivery_of(app: App) -> tuple[DeliveryPolicy, RateLimiter]:
    """Issue 5: stale-claim timeout and Telegram's limits from [scheduler] in config.toml."""
    cfg = app.settings.scheduler
    policy = DeliveryPolicy(stale_after=timedelta(seconds=cfg.stale_claim_seconds))
    return policy, RateLimiter(RateLimits(per_bot_per_second=cfg.per_bot_per_second,
                                          per_group_per_minute=cfg.per_group_per_minute,
                                          per_chat_per_second=cfg.per_chat_per_second))
