"""What both adapters do around their library to start and stop: updates in through our intake
(webhook or long polling), the outbox sender and the scheduler beside it; stopping in reverse,
with the offset of what was handled confirmed last."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App
from bot.background import Background
from bot.intake import Intake
from bot.monitoring.server import monitoring_routes
from bot.replies import ReplyChains
from bot.webhook import WebhookListener, webhook_secret
from storage.repositories.inbox import SqlInbox

Fetch = Callable[[int | None, float], Awaitable[list[dict[str, Any]]]]


class Running:
    def __init__(self, app: App, intake: Intake, replies: ReplyChains,
                 background: Background) -> None:
        self.app, self.intake, self.replies, self.background = app, intake, replies, background
        self.webhook: WebhookListener | None = None
        self._poll: asyncio.Task[None] | None = None
        self._replayed: asyncio.Future[None] | None = None
        self.started = False

    async def start(self, fetch: Fetch, set_webhook: Callable[[str, str], Awaitable[object]],
                    delete_webhook: Callable[[], Awaitable[object]]) -> None:
        cfg = self.app.settings.telegram
        self.intake.inbox = SqlInbox(self.app.db)   # a polled backlog's durable copy
        if cfg.mode == "webhook":
            self._replayed = await self.intake.replay()   # what a polling run left kept
            self.webhook = WebhookListener(cfg, webhook_secret(), self.intake,
                                           monitoring_routes(self.app))
            await self.webhook.start()
            await set_webhook(cfg.url, self.webhook.secret)
        else:
            await delete_webhook()
            self._poll = asyncio.create_task(self.intake.poll(fetch, cfg.poll_timeout),
                                             name="zhiyong-intake")
        await self.background.release_dead_claims()
        self.background.start()
        self.started = True

    async def stop(self, confirm: Callable[[int], Awaitable[None]]) -> bool:
        """Stop taking updates, finish what is in hand, then confirm the offset; False if it
        was not running."""
        if not self.started:
            return False
        self.started = False
        self.intake.stop()
        if self.webhook is not None:
            await self.webhook.stop()
        if self._poll is not None:
            self._poll.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poll
        await self.intake.close()
        if self._replayed is not None:
            await self._replayed
        await self.replies.drain()
        await self.background.stop()
        if self._poll is not None and self.intake.offsets.next is not None:
            await confirm(self.intake.offsets.next)
        return True
