"""The pending-update queue behind getUpdates, with real long polling.

Updates are kept until a later getUpdates confirms them with `offset`. An update injected again
with an id the bot already confirmed (a redelivery) is still handed out once, as Telegram does
after a crash before confirmation; only updates already delivered are dropped by `offset`.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import ApiError

CONFLICT = ("Conflict: terminated by other getUpdates request; make sure that only one bot "
            "instance is running")

@dataclass
class _Pending:
    update: dict[str, Any]
    delivered: bool = False


class UpdateQueue:
    """Increasing update_ids; `get` returns as soon as something is pending (or on timeout)."""

    def __init__(self, first_id: int = 1) -> None:
        self._ids = itertools.count(first_id)
        self._pending: list[_Pending] = []
        self._cond = asyncio.Condition()
        self._closed = False
        self._generation = 0  # a newer getUpdates terminates the waiting one, as on Telegram
        self.history: list[dict[str, Any]] = []  # every update ever injected, in order

    def new_id(self) -> int:
        return next(self._ids)

    async def put(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update (assigning update_id when absent) and wake a waiting long-poll."""
        if "update_id" not in update:
            update = {"update_id": self.new_id(), **update}
        self.history.append(update)
        async with self._cond:
            self._pending.append(_Pending(update))
            self._cond.notify_all()
        return update

    def confirm(self, offset: int) -> None:
        """Drop delivered updates below `offset`; a negative offset keeps only the last -offset."""
        if offset < 0:
            self._pending = self._pending[offset:]
            return
        self._pending = [p for p in self._pending
                         if not (p.delivered and p.update["update_id"] < offset)]

    def _ready(self, offset: int | None, limit: int) -> list[_Pending]:
        ready = [p for p in self._pending
                 if offset is None or offset < 0 or p.update["update_id"] >= offset
                 or not p.delivered]
        return ready[:limit]

    async def get(self, offset: int | None, limit: int, timeout: float) -> list[dict[str, Any]]:
        """What getUpdates returns: waits up to `timeout` seconds for the first update."""
        if offset is not None:
            self.confirm(offset)
        self._generation += 1
        mine = self._generation
        async with self._cond:
            self._cond.notify_all()  # an older poll, if any, now sees it was superseded
            try:
                async with asyncio.timeout(timeout if timeout > 0 else 0):
                    await self._cond.wait_for(lambda: self._closed or mine != self._generation
                                              or self._ready(offset, limit))
            except TimeoutError:
                pass
            if mine != self._generation and not self._closed:
                raise ApiError(409, CONFLICT)
            batch = [] if self._closed else self._ready(offset, limit)
            for p in batch:
                p.delivered = True
            return [p.update for p in batch]

    @property
    def changed(self) -> asyncio.Condition:
        """Notified when an update arrives (the webhook pusher waits on it)."""
        return self._cond

    def next_for_webhook(self, busy: set[Any], chat_of: Callable[[dict[str, Any]], Any]
                         ) -> _Pending | None:
        """The oldest update not being pushed whose chat has no push in flight."""
        for p in self._pending:
            if not p.delivered and chat_of(p.update) not in busy:
                return p
        return None

    def take_for_webhook(self, busy: set[Any], chat_of: Callable[[dict[str, Any]], Any]
                         ) -> dict[str, Any] | None:
        p = self.next_for_webhook(busy, chat_of)
        if p is None:
            return None
        p.delivered = True
        return p.update

    def delivered_by_webhook(self, update: dict[str, Any]) -> None:
        """The webhook answered 2xx: the update is confirmed."""
        self._pending = [p for p in self._pending if p.update is not update]

    def requeue_undelivered(self) -> None:
        """The webhook went away: what it had not confirmed is handed out again."""
        for p in self._pending:
            p.delivered = False

    def drop_pending(self) -> None:
        """deleteWebhook/setWebhook with drop_pending_updates=True."""
        self._pending.clear()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def close(self) -> None:
        """Release every long-poll now."""
        async with self._cond:
            self._closed = True
            self._cond.notify_all()
