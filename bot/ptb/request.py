"""PTB's requests over aiohttp instead of httpx.

httpcore's pool rescans every connection (a readability poll each) whenever a request starts
or ends: with replies to many chats in flight that was the largest single cost of the bot.
aiohttp's connector hands out a kept-alive connection without a scan. Errors keep PTB's
meaning: a timeout is `TimedOut`, any other transport failure `NetworkError`; HTTP statuses
are mapped by PTB's `BaseRequest` as before.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _pick(value: ODVInput[float], default: float | None) -> float | None:
    return default if isinstance(value, DefaultValue) else value


class AiohttpRequest(BaseRequest):
    """Up to `size` kept-alive connections; requests beyond wait up to `pool_timeout`."""

    def __init__(self, size: int = 32, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 60.0,
                 media_write_timeout: float | None = 20.0) -> None:
        self._size = size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._size, keepalive_timeout=60),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else {}
        read = _pick(read_timeout, self._read_timeout)
        if files:   # an upload's time is spent writing; give it the media allowance too
            read = None if read is None else read + (self._media_timeout or 0.0)
        timeout = aiohttp.ClientTimeout(
            total=None, sock_read=read, sock_connect=_pick(connect_timeout, self._connect_timeout),
            connect=_pick(pool_timeout, self._pool_timeout))
        try:
            async with self._session.request(method, url, data=_body(request_data, files),
                                             timeout=timeout) as res:
                return res.status, await res.read()
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err


def _body(request_data: RequestData | None,
          files: dict[str, tuple[str, object, str]]) -> aiohttp.FormData | dict[str, str] | None:
    """Form fields as PTB encodes them; multipart only when a file goes with them."""
    fields = request_data.json_parameters if request_data else {}
    if not files:
        return fields or None
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
