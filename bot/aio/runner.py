"""Runs aiogram's Dispatcher with our own intake (bot/intake.py: per-chat lanes, offsets
confirmed only after commit; long polling or webhook), the same dispatch, outbox and scheduler.

Routers group the handlers by audience, as in aiogram's examples: citizens (and staff
dialogs) in private chats, department groups. Each handler is thin: the update becomes an
Incoming, workflow.chat.dispatch handles it (its replies are outbox rows, sent by the outbox
sender); only the answer to a pressed button is sent here. aiogram's own
polling is not used: it runs one chat's updates concurrently and confirms batches early.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteWebhook,
    EditMessageText,
    GetMe,
    GetUpdates,
    SendDocument,
    SendMessage,
    SendPhoto,
    SendVoice,
    SetWebhook,
)
from aiogram.methods import Response as ApiResponse
from aiogram.types import CallbackQuery, Message, TelegramObject, Update
from aiohttp import ClientTimeout

from bot.aio.transport import AiogramTransport
from bot.app import App
from bot.background import Background
from bot.intake import Intake
from bot.monitoring import metrics
from bot.replies import ReplyChains
from bot.running import Running
from bot.translate import ALLOWED_UPDATES, to_incoming
from workflow.chat import dispatch
from workflow.chat.messages import Response

log = logging.getLogger("zhiyong.aiogram")
GROUPS = ("group", "supergroup")
# aiogram logs every update at INFO ("Update id=… is handled"): per-update cost, no value.
logging.getLogger("aiogram.event").setLevel(logging.WARNING)


def _chat_type(event: TelegramObject) -> str:
    if isinstance(event, CallbackQuery):
        return event.message.chat.type if event.message is not None else ""
    chat = getattr(event, "chat", None)
    return chat.type if chat is not None else ""


# Coroutine filters: aiogram runs a plain function (or a magic F filter) in a thread.
async def in_private(event: TelegramObject) -> bool:
    return _chat_type(event) == "private"


async def in_group(event: TelegramObject) -> bool:
    return _chat_type(event) in GROUPS


# aiogram parses every answer as Response[the method's type]; pydantic keeps such generic
# classes only weakly, so without a reference each collection makes it build them anew.
RESPONSES = tuple(ApiResponse[m.__returning__]
                  for m in (SendMessage, SendPhoto, SendVoice, SendDocument, EditMessageText,
                            AnswerCallbackQuery, GetMe, GetUpdates, SetWebhook, DeleteWebhook))


class FetchFailed(Exception):
    """getUpdates answered with an error (409 conflict, 5xx, …): the intake retries."""


class AiogramBot:
    def __init__(self, app: App, token: str) -> None:
        self.app = app
        cfg = app.settings.telegram
        session = AiohttpSession(api=TelegramAPIServer.from_base(cfg.api_url))
        self.bot = Bot(token, session=session)
        self.dispatcher = Dispatcher(disable_fsm=True)   # the conversation state is ours
        self.dispatcher.include_routers(self._router("citizens", in_private),
                                        self._router("groups", in_group))
        self.transport = AiogramTransport(self.bot, app.renderer)
        self.background = Background(app, self.transport)
        self.sender, self.scheduler = self.background.sender, self.background.scheduler
        self.intake = Intake(self._feed, cfg.concurrent_updates, refetch_lag=cfg.refetch_lag)
        self.replies = ReplyChains()
        self.running = Running(app, self.intake, self.replies, self.background)
        self._username = ""

    def _router(self, name: str, audience: Any) -> Router:
        router = Router(name=name)
        router.message.filter(audience)
        router.callback_query.filter(audience)
        router.message.register(self._on_message)
        router.callback_query.register(self._on_button)
        return router

    async def _feed(self, data: dict[str, Any]) -> None:
        update = Update.model_validate(data, context={"bot": self.bot})
        await self.dispatcher.feed_update(self.bot, update)

    async def _on_message(self, message: Message, event_update: Update) -> None:
        await self._handle(event_update, None)

    async def _on_button(self, query: CallbackQuery, event_update: Update) -> None:
        await self._handle(event_update, query)

    async def _handle(self, update: Update, query: CallbackQuery | None) -> None:
        incoming = to_incoming(update, self.app.renderer.reply_labels, self._username)
        started = metrics.update_started(incoming.kind if incoming else "ignored")
        if incoming is None:
            if query is not None:
                await self._answer(query, None)
            return
        resp = await dispatch.handle(self.app.ctx, incoming, self.background.reply_worker)
        metrics.update_done(started)
        answer = None if query is None else lambda: self._answer(query, resp)
        self.replies.deliver(self.sender, incoming.chat_id, resp.claimed, answer)

    async def _answer(self, query: CallbackQuery, resp: Response | None) -> None:
        text = self.app.renderer.plain(resp.answer_key, resp.answer_params,
                                       resp.script) if resp else ""
        await self.replies.answer(
            lambda: query.answer(text or None, show_alert=bool(resp and resp.answer_alert)),
            self.transport.outcome)

    async def _fetch(self, offset: int | None, timeout: float) -> list[dict[str, Any]]:
        """getUpdates as raw JSON through aiogram's own HTTP session: only updates not seen
        before are parsed, not the unconfirmed ones handed out again while in flight."""
        params: dict[str, Any] = {"limit": 100, "timeout": int(timeout),
                                  "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            params["offset"] = offset
        session = await self.bot.session.create_session()
        url = self.bot.session.api.api_url(token=self.bot.token, method="getUpdates")
        async with session.post(url, json=params,
                                timeout=ClientTimeout(total=timeout + 10)) as resp:
            body = json.loads(await resp.read())
        if not body.get("ok"):
            raise FetchFailed(f"{resp.status}: {body.get('description', '')}")
        return list(body.get("result") or [])

    async def start(self) -> None:
        me = await self.bot.me()
        self._username = me.username or ""
        await self.running.start(
            self._fetch,
            lambda url, secret: self.bot.set_webhook(url, secret_token=secret,
                                                     allowed_updates=ALLOWED_UPDATES),
            self.bot.delete_webhook)

    async def stop(self) -> None:
        if await self.running.stop(self._confirm):
            await self.bot.session.close()

    async def _confirm(self, offset: int) -> None:
        """Tell Telegram what is done before exiting (the next start would redo it, once)."""
        try:
            await self.bot.get_updates(offset=offset, limit=1, timeout=0)
        except Exception as exc:
            log.warning("could not confirm offset %s on exit: %s", offset, exc)

    async def __aenter__(self) -> AiogramBot:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
