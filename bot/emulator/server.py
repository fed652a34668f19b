"""The HTTP edge: routes `/bot{token}/{method}` and `/file/bot{token}/{path}` into the emulator."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Any

from aiohttp import web

# Importing the method modules fills the registry.
from bot.emulator import editing, sending, service  # noqa: F401
from bot.emulator.errors import ApiError
from bot.emulator.params import Upload, read_params
from bot.emulator.records import ApiCall
from bot.emulator.registry import lookup

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator

UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found: method not found")


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    try:
        return web.json_response(body, status=status,
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))
    except UnicodeEncodeError:   # a lone surrogate (hostile-text tests): \uXXXX escapes
        return web.json_response(body, status=status)


def _loggable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (repr(v) if isinstance(v, Upload) else v) for k, v in params.items()}


class ApiServer:
    """aiohttp application bound to one emulator; every request is logged in `emu.requests`."""

    def __init__(self, emu: BotApiEmulator) -> None:
        self.emu = emu
        self.stopping = asyncio.Event()

    def app(self) -> web.Application:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self.download)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            params = await read_params(request)
            result = await self._call(request.match_info["token"], name, params)
            body, status = {"ok": True, "result": result}, 200
        except ApiError as err:
            body, status = err.body(), err.code
        self.emu.requests.append(ApiCall(name, _loggable(params), status, time.time()))
        return _json(body, status)

    async def _call(self, token: str, name: str, params: dict[str, Any]) -> Any:
        if token != self.emu.token:
            raise UNAUTHORIZED
        handler = lookup(name)
        if handler is None:
            raise NOT_FOUND
        fault = self.emu.faults.take(name, params)
        if fault is None:
            return await handler(self.emu, params)
        if fault.executed:
            with contextlib.suppress(ApiError):
                await handler(self.emu, params)
        if fault.status == "timeout":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), fault.hold)
        raise fault.error()

    async def download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.emu.token:
            return _json(UNAUTHORIZED.body(), 401)
        stored = self.emu.files.by_path(request.match_info["path"])
        if stored is None:
            return _json(ApiError(404, "Not Found").body(), 404)
        return web.Response(body=stored.data,
                            content_type=stored.mime_type or "application/octet-stream")
