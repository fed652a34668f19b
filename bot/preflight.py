"""Before polling starts: is the token well-formed, and does Telegram answer and accept it?

Checked here, framework-neutral, so both adapters fail the same way with one line instead
of their libraries' tracebacks. Telegram being unreachable (network, DNS, 5xx, 429) is
retried with backoff for `budget` seconds; a refused token is not retried.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable

import aiohttp

from bot.operator_errors import TelegramUnreachable, TokenMalformed, TokenMissing, TokenRejected

log = logging.getLogger("zhiyong.preflight")
TOKEN_SHAPE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")
REFUSED = (401, 403, 404)   # 404: the official server's answer to an unknown token's path


def check_token(token: str | None) -> str:
    """The token, stripped; raises TokenMissing / TokenMalformed."""
    if token is None or not token.strip():
        raise TokenMissing(empty=token is not None)
    token = token.strip()
    if not TOKEN_SHAPE.match(token):
        raise TokenMalformed()
    return token


async def get_me(api_url: str, token: str, attempt_timeout: float = 10.0) -> int:
    """One getMe; the HTTP status (raises on network errors and timeouts)."""
    timeout = aiohttp.ClientTimeout(total=attempt_timeout)
    async with aiohttp.ClientSession(timeout=timeout) as session, \
            session.get(f"{api_url}/bot{token}/getMe") as resp:
        await resp.read()
        return resp.status


async def wait_for_telegram(api_url: str, token: str, budget: float,
                            probe: Callable[[str, str], Awaitable[int]] = get_me,
                            sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                            clock: Callable[[], float] = time.monotonic) -> None:
    """Return once getMe succeeds; backoff 1, 2, 4 … 30 s until `budget` seconds are spent."""
    started, delay = clock(), 1.0
    while True:
        try:
            status = await probe(api_url, token)
            reason = f"HTTP {status}"
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            status, reason = 0, _reason(exc)
        if status == 200:
            return
        if status in REFUSED:
            raise TokenRejected(status, api_url)
        waited = clock() - started
        if waited + delay > budget:
            raise TelegramUnreachable(api_url, reason, waited)
        log.warning("Telegram at %s not reachable (%s); retrying in %.0f s", api_url, reason,
                    delay)
        await sleep(delay)
        delay = min(delay * 2, 30.0)


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]
