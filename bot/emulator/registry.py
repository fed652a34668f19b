"""Bot API method table: handlers register under their Telegram names (case-insensitive)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.emulator import BotApiEmulator

Handler = Callable[["BotApiEmulator", dict[str, Any]], Awaitable[Any]]
METHODS: dict[str, Handler] = {}


def method(*names: str) -> Callable[[Handler], Handler]:
    """Register `fn` as the handler of each Telegram method in `names`."""
    def register(fn: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = fn
        return fn
    return register


def lookup(name: str) -> Handler | None:
    return METHODS.get(name.lower())
