"""What runs beside any adapter's polling: the outbox sender and the deadline scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from datetime import timedelta

from bot.app import App
from bot.scheduler import DeadlineScheduler
from storage.db import is_sqlite
from workflow.outbox.ratelimit import LocalSlots, RateLimits, SharedSlots
from workflow.outbox.sender import DeliveryPolicy, OutboxSender
from workflow.ports import SendSlots, Transport


class Background:
    """One sender and one scheduler per process; `worker` names this process in claims."""

    def __init__(self, app: App, transport: Transport) -> None:
        self.app = app
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        # The adapter's claims of its replies: sent per chat in order by bot/replies.py, so a
        # chat's next replies may be claimed while these are in flight (not the sender's).
        self.reply_worker = f"{self.worker}:replies"
        self.sender = OutboxSender(app.ctx, transport, self.worker, *delivery_of(app))
        self.scheduler = DeadlineScheduler(app, self.worker, self.sender.wake)
        self._task: asyncio.Task[None] | None = None

    async def release_dead_claims(self) -> int:
        """Claims of a process of this host that no longer runs (killed, crashed) go back."""
        return await self.sender.release_dead(_dead_on_this_host)

    def start(self) -> None:
        # The sender sleeps until a commit queues a row due now (or its poll interval passes):
        # no claim transaction after every update.
        self.app.db.on_outbox_due.append(self.sender.wake)
        self._task = asyncio.create_task(
            self.sender.run_forever(self.app.settings.scheduler.outbox_poll_seconds))
        if self.app.settings.scheduler.enabled:
            self.scheduler.start()

    async def stop(self, grace: float = 10.0) -> None:
        """Let the sender settle the message in hand (up to `grace` seconds), then stop."""
        if self.sender.wake in self.app.db.on_outbox_due:
            self.app.db.on_outbox_due.remove(self.sender.wake)
        self.scheduler.shutdown()
        if self._task:
            self.sender.stop()
            try:
                await asyncio.wait_for(asyncio.shield(self._task), grace)
            except TimeoutError:
                self._task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._task


def _dead_on_this_host(worker: str) -> bool:
    host, _, rest = worker.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def delivery_of(app: App) -> tuple[DeliveryPolicy, SendSlots | None]:
    """The stale-claim timeout and Telegram's limits from [scheduler] in config.toml.

    On PostgreSQL (several processes may serve the bot) the limits are kept through the
    database; on SQLite, which one process serves, in memory, without a transaction a message.
    """
    cfg = app.settings.scheduler
    policy = DeliveryPolicy(stale_after=timedelta(seconds=cfg.stale_claim_seconds))
    if not cfg.rate_limits:
        return policy, None
    limits = RateLimits(per_bot_per_second=cfg.per_bot_per_second,
                        per_group_per_minute=cfg.per_group_per_minute,
                        per_chat_per_second=cfg.per_chat_per_second,
                        group_window=cfg.group_window_seconds)
    if is_sqlite(app.settings.storage.url):
        return policy, LocalSlots(app.ctx.clock, limits)
    return policy, SharedSlots(app.ctx, limits)
