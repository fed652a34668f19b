"""Webhook delivery, as Telegram does it: once setWebhook names a URL, pending updates are
POSTed there as JSON with the X-Telegram-Bot-Api-Secret-Token header; an update is dropped
only on a 2xx answer and delivered again (after `retry_seconds`) on anything else, a timeout
or a refused connection. Up to `max_connections` requests are in flight, one per chat at a
time, so one chat's updates arrive in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.emulator.updates import UpdateQueue

log = logging.getLogger("zhiyong.emulator.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def update_chat(update: dict[str, Any]) -> Any:
    """The chat an update belongs to (its delivery lane); the update id when none."""
    for name in ("message", "edited_message", "my_chat_member", "chat_member"):
        if isinstance(update.get(name), dict):
            return update[name].get("chat", {}).get("id")
    cq = update.get("callback_query")
    if isinstance(cq, dict):
        msg = cq.get("message") or {}
        return (msg.get("chat") or {}).get("id") or (cq.get("from") or {}).get("id")
    return ("update", update.get("update_id"))


@dataclass
class WebhookAttempt:
    """One POST the emulator made: which update, the HTTP status (0: no answer), when."""

    update_id: int
    status: int
    at: float


@dataclass
class WebhookTarget:
    url: str
    secret: str = ""
    max_connections: int = 40
    attempts: list[WebhookAttempt] = field(default_factory=list)
    last_error: str = ""
    last_error_at: int = 0


class WebhookPusher:
    """POSTs the queue's pending updates to the target until each gets a 2xx."""

    def __init__(self, target: WebhookTarget, queue: UpdateQueue, retry_seconds: float = 0.2,
                 timeout: float = 30.0) -> None:
        self.target = target
        self.queue = queue
        self._arrived = queue.changed
        self.retry_seconds, self.timeout = retry_seconds, timeout
        self._busy: set[Any] = set()           # chats with a request in flight
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        self._loop = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        while True:
            async with self._arrived:
                await self._arrived.wait_for(self._can_send)
                update = self.queue.take_for_webhook(self._busy, update_chat)
            if update is None:
                continue
            chat = update_chat(update)
            self._busy.add(chat)
            task = asyncio.create_task(self._deliver(update, chat))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _can_send(self) -> bool:
        return (len(self._busy) < self.target.max_connections
                and self.queue.next_for_webhook(self._busy, update_chat) is not None)

    async def _deliver(self, update: dict[str, Any], chat: Any) -> None:
        try:
            while not await self._post(update):
                await asyncio.sleep(self.retry_seconds)
            self.queue.delivered_by_webhook(update)
        finally:
            self._busy.discard(chat)
            async with self._arrived:
                self._arrived.notify_all()

    async def _post(self, update: dict[str, Any]) -> bool:
        assert self._session is not None
        headers = {SECRET_HEADER: self.target.secret} if self.target.secret else {}
        status, error = 0, ""
        try:
            async with self._session.post(self.target.url, json=update, headers=headers) as r:
                status = r.status
                if not 200 <= status < 300:
                    error = f"Wrong response from the webhook: {status} {r.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.target.attempts.append(WebhookAttempt(int(update["update_id"]), status, time.time()))
        if error:
            self.target.last_error, self.target.last_error_at = error, int(time.time())
            return False
        return True
