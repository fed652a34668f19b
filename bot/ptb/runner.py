"""Runs the real python-telegram-bot Application with our own intake (bot/intake.py: per-chat
lanes, offsets confirmed only after commit; long polling or webhook), the outbox sender and the
deadline scheduler (APScheduler: the sweep and the cron digests).

PTB's Updater is not used: it confirms a batch before handling it. Updates still go through
the Application's handlers (`process_update`).
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.warnings import PTBUserWarning

from bot.app import App
from bot.background import Background
from bot.intake import Intake
from bot.monitoring import metrics
from bot.ptb.request import AiohttpRequest
from bot.ptb.transport import PtbTransport
from bot.replies import ReplyChains
from bot.running import Running
from bot.translate import ALLOWED_UPDATES, to_incoming
from workflow.chat import dispatch
from workflow.chat.messages import Response

log = logging.getLogger("zhiyong.ptb")
# getUpdates as raw JSON (do_api_request): only updates not seen before are parsed, not the
# unconfirmed ones Telegram hands out again while they are still being handled.
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class PtbBot:
    def __init__(self, app: App, token: str) -> None:
        self.app = app
        cfg = app.settings.telegram
        api = cfg.api_url
        self.application: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(token).updater(None)
            .base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
            .request(AiohttpRequest())
            .build())
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self.transport = PtbTransport(self.application.bot, app.renderer)
        self.background = Background(app, self.transport)
        self.sender, self.scheduler = self.background.sender, self.background.scheduler
        self.intake = Intake(self._process, cfg.concurrent_updates, refetch_lag=cfg.refetch_lag)
        self.replies = ReplyChains()
        self.running = Running(app, self.intake, self.replies, self.background)
        self._username = ""

    async def _on_update(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = to_incoming(update, self.app.renderer.reply_labels, self._username)
        started = metrics.update_started(incoming.kind if incoming else "ignored")
        if incoming is None:
            return
        resp = await dispatch.handle(self.app.ctx, incoming, self.background.reply_worker)
        metrics.update_done(started)
        answer = None if update.callback_query is None else lambda: self._answer(update, resp)
        self.replies.deliver(self.sender, incoming.chat_id, resp.claimed, answer)

    async def _answer(self, update: Update, resp: Response) -> None:
        """Answer the pressed button (retried beside the chat's chain on 429/5xx/timeouts)."""
        query = update.callback_query
        if query is None:
            return
        text = self.app.renderer.plain(resp.answer_key, resp.answer_params, resp.script)
        timeouts = ({} if self.transport.send_timeout is None
                    else {"read_timeout": self.transport.send_timeout})
        await self.replies.answer(
            lambda: query.answer(text or None, show_alert=resp.answer_alert, **timeouts),
            self.transport.outcome)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("update %s failed", getattr(update, "update_id", "?"), exc_info=context.error)

    async def _process(self, data: dict[str, Any]) -> None:
        await self.application.process_update(Update.de_json(data, self.application.bot))

    async def _fetch(self, offset: int | None, timeout: float) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"limit": 100, "timeout": int(timeout),
                                  "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        result = await self.application.bot.do_api_request(
            "getUpdates", api_kwargs=params, read_timeout=timeout + 10)
        return list(result) if isinstance(result, list) else []

    async def start(self) -> None:
        await self.application.initialize()
        await self.application.start()
        self._username = self.application.bot.username or ""
        bot = self.application.bot
        await self.running.start(
            self._fetch,
            lambda url, secret: bot.set_webhook(url, secret_token=secret,
                                                allowed_updates=ALLOWED_UPDATES),
            bot.delete_webhook)

    async def stop(self) -> None:
        if not await self.running.stop(self._confirm):
            return
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()

    async def _confirm(self, offset: int) -> None:
        """Tell Telegram what is done before exiting (the next start would redo it, once)."""
        try:
            await self.application.bot.get_updates(offset=offset, limit=1, timeout=0)
        except Exception as exc:
            log.warning("could not confirm offset %s on exit: %s", offset, exc)

    async def __aenter__(self) -> PtbBot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
