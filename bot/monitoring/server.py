"""The HTTP side: GET /healthz and GET /metrics on an aiohttp application.

`add_routes` mounts them on any application (the webhook listener's, later);
`MonitoringServer` is the standalone listener on `[monitoring] listen`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web

from bot.app import App
from bot.monitoring.service import CONTENT_TYPE, Monitoring
from bot.operator_errors import ListenFailed

log = logging.getLogger("zhiyong.monitoring")


def add_routes(app: web.Application, monitoring: Monitoring) -> None:
    async def healthz(_: web.Request) -> web.Response:
        report = await monitoring.healthz()
        return web.json_response(report.body(), status=200 if report.ok else 503)

    async def scrape(_: web.Request) -> web.Response:
        body = await monitoring.metrics()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


class MonitoringServer:
    """Serves the two routes on host:port until stopped; port 0 picks a free one."""

    def __init__(self, monitoring: Monitoring, listen: str) -> None:
        self.monitoring, self.listen = monitoring, listen
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> MonitoringServer:
        app = web.Application()
        add_routes(app, self.monitoring)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        host, port = split_listen(self.listen)
        site = web.TCPSite(self._runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            await self.stop()
            raise ListenFailed(self.listen, exc.strerror or str(exc)) from exc
        self.port = int(self._runner.addresses[-1][1])
        log.info("monitoring on http://%s:%s (/healthz, /metrics)", host, self.port)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> MonitoringServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@contextlib.asynccontextmanager
async def listener(app: App) -> AsyncIterator[MonitoringServer | None]:
    """The standalone listener of a polling process, if `[monitoring] enabled`."""
    cfg = app.settings.monitoring
    if not cfg.enabled:
        yield None
        return
    async with MonitoringServer(Monitoring(app), cfg.listen) as server:
        yield server


def monitoring_routes(app: App) -> Callable[[web.Application], None]:
    """What a webhook listener calls to serve /healthz and /metrics beside the webhook."""
    def mount(web_app: web.Application) -> None:
        add_routes(web_app, Monitoring(app))
    return mount
