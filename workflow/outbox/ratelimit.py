"""Telegram's sending limits, kept on our side so we rarely meet a 429.

About 30 messages per second per bot, 20 per minute per group, 1 per second per chat, with
short bursts allowed (https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).
Sliding windows (a token bucket per chat) over a monotonic clock (injected: tests need no real waiting).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

CHAT_BURST = 3   # per chat: a reply of up to 3 messages goes at once, then 1 per second


@dataclass(frozen=True)
class RateLimits:
    per_bot_per_second: int = 30
    per_group_per_minute: int = 20
    per_chat_per_second: int = 1


class _Window:
    """At most `limit` events in any `span` seconds."""

    def __init__(self, limit: int, span: float) -> None:
        self.limit, self.span = limit, span
        self.times: deque[float] = deque()

    def wait(self, now: float) -> float:
        while self.times and self.times[0] <= now - self.span:
            self.times.popleft()
        if len(self.times) < self.limit:
            return 0.0
        return self.times[0] + self.span - now

    def record(self, now: float) -> None:
        self.times.append(now)


class _Bucket:
    """`rate` events per second on average, `burst` at once (a token bucket)."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.last = float(burst), 0.0

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def wait(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def record(self, now: float) -> None:
        self._refill(now)
        self.tokens -= 1


class RateLimiter:
    def __init__(self, limits: RateLimits | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits or RateLimits()
        self.monotonic = monotonic
        self._bot = _Window(self.limits.per_bot_per_second, 1.0)
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, _Window] = {}

    @classmethod
    def unlimited(cls) -> RateLimiter:
        """For tools and tests that talk to no real Telegram."""
        big = 10**9
        return cls(RateLimits(big, big, big))

    def _for(self, chat_id: int) -> list[_Window | _Bucket]:
        windows: list[_Window | _Bucket] = [self._bot]
        if chat_id not in self._chats:
            self._chats[chat_id] = _Bucket(self.limits.per_chat_per_second, CHAT_BURST)
        windows.append(self._chats[chat_id])
        if chat_id < 0:
            if chat_id not in self._groups:
                self._groups[chat_id] = _Window(self.limits.per_group_per_minute, 60.0)
            windows.append(self._groups[chat_id])
        return windows

    def delay(self, chat_id: int) -> float:
        """Seconds to wait before a message to `chat_id` stays within every limit."""
        now = self.monotonic()
        return max(w.wait(now) for w in self._for(chat_id))

    def record(self, chat_id: int) -> None:
        now = self.monotonic()
        for w in self._for(chat_id):
            w.record(now)
        if len(self._chats) > 10_000:     # forget idle chats now and then
            self._chats = {k: w for k, w in self._chats.items() if w.wait(now) > 0}
            self._groups = {k: w for k, w in self._groups.items() if w.times}
