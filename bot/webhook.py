"""Webhook mode: Telegram POSTs each update to our URL; we answer only once it is committed.

The secret token comes from the environment only (ZHIYONG_WEBHOOK_SECRET) and every request
must carry it in X-Telegram-Bot-Api-Secret-Token; anything else is refused with 401 and
logged. A non-2xx answer makes Telegram deliver again, which is why the answer waits for the
update to be handled (a redelivery is deduplicated by the processed-update record).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.config import ConfigError, TelegramConfig
from bot.intake import Intake

log = logging.getLogger("zhiyong.webhook")
SECRET_ENV = "ZHIYONG_WEBHOOK_SECRET"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
_SECRET_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,256}$")   # what setWebhook accepts


def webhook_secret() -> str:
    """The secret from the environment; ConfigError (one line) when missing or malformed."""
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise ConfigError(f"webhook mode needs a secret: set {SECRET_ENV} "
                          "(1-256 characters A-Z a-z 0-9 _ -); it is never read from the file")
    if not _SECRET_CHARS.match(secret):
        raise ConfigError(f"{SECRET_ENV} may only hold 1-256 characters A-Z a-z 0-9 _ -")
    return secret


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]"), int(port)


class WebhookListener:
    """aiohttp server for one bot: POST `path` → the bot's intake, awaited."""

    def __init__(self, cfg: TelegramConfig, secret: str, intake: Intake,
                 mount: Callable[[web.Application], None] | None = None) -> None:
        self._mount = mount
        self.host, self.port = split_listen(cfg.listen)
        self.path = cfg.webhook_path
        self.secret = secret
        self.intake = intake
        self._runner: web.AppRunner | None = None
        self.refused = 0

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self.path, self.receive)
        if self._mount is not None:      # /healthz and /metrics beside the webhook
            self._mount(app)
        return app

    async def start(self) -> None:
        self._runner = web.AppRunner(self.application(), access_log=None, handle_signals=False,
                                     shutdown_timeout=10.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
        await site.start()
        if self.port == 0:   # an ephemeral port (tests): learn which
            server = getattr(site, "_server", None)
            sockets = getattr(server, "sockets", None) or []
            if sockets:
                self.port = sockets[0].getsockname()[1]
        log.info("webhook listening on %s:%s%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop accepting; requests in progress finish (their updates commit) first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(),
                                   self.secret.encode()):
            self.refused += 1
            log.warning("webhook request from %s refused: missing or wrong secret token",
                        request.remote)
            return web.Response(status=401, text="unauthorized")
        if request.content_length is not None and request.content_length > MAX_BODY:
            return web.Response(status=413, text="body over 1 MB")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body over 1 MB")
        update = self._update(body)
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        await self.intake.submit(update)
        return web.Response(status=200)

    def _update(self, body: bytes) -> dict[str, Any] | None:
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("webhook body is not JSON (%d bytes)", len(body))
            return None
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            log.warning("webhook body is not an update")
            return None
        return data
