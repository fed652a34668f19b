"""Telegram's sending limits: about 30 messages per second per bot, 20 per minute per group,
1 per second per chat, with short bursts allowed
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this).

Each limit is a sliding window over the send slots taken so far; a message takes a slot just
before it is handed to Telegram. Two books of slots, one rule:
- `SharedSlots`: the slots recorded in the outbox itself, taken in a transaction that every
  process serialises on (`OutboxRepo.recent_slots`), so two processes cannot both take the
  last slot: for several processes on one PostgreSQL.
- `LocalSlots`: the slots in this process's memory, no transaction per message: for the
  embedded SQLite database, which one process serves.
Time is the injected clock's, so tests need no real waiting.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from workflow.context import Context
from workflow.model import OutboxMessage
from workflow.ports import Clock

CHAT_BURST = 3   # per chat: a reply of up to 3 messages (or a second's worth) goes at once
CHAT_STEADY = 60  # ... kept over windows of up to a minute (a token bucket, as windows)
BOT_WINDOW = 1.0


@dataclass(frozen=True)
class Window:
    """At most `limit` slots in any `span` seconds."""

    limit: int
    span: float

    def wait(self, now: datetime, slots: list[datetime]) -> float:
        """Seconds until one more slot fits, given the slots taken so far."""
        recent = sorted(t for t in slots if t > now - timedelta(seconds=self.span))
        if len(recent) < self.limit:
            return 0.0
        frees = recent[len(recent) - self.limit] + timedelta(seconds=self.span)
        return max((frees - now).total_seconds(), 1e-3)


@dataclass(frozen=True)
class RateLimits:
    per_bot_per_second: int = 30
    per_group_per_minute: int = 20
    per_chat_per_second: int = 1
    group_window: float = 60.0      # the "minute" of per_group_per_minute

    @property
    def bot(self) -> Window:
        return Window(self.per_bot_per_second, BOT_WINDOW)

    def chat_windows(self, chat_id: int) -> list[Window]:
        """Per chat: the burst, then its rate (at most burst - 1 + k in any k periods of the
        rate, so a token bucket); groups (negative ids) also per minute."""
        rate = self.per_chat_per_second
        burst = max(CHAT_BURST, rate)
        windows = [Window(burst - 1 + k, k / rate) for k in range(1, CHAT_STEADY + 1)]
        if chat_id < 0:
            windows.append(Window(self.per_group_per_minute, self.group_window))
        return windows

    def lookback(self, chat_id: int) -> float:
        """How far back this chat's slots matter, in seconds."""
        return max(w.span for w in self.chat_windows(chat_id))

    def wait(self, chat_id: int, now: datetime, bot_slots: list[datetime],
             chat_slots: list[datetime]) -> float:
        """Seconds to wait before a message to `chat_id` stays within every limit."""
        waits = [self.bot.wait(now, bot_slots)]
        waits += [w.wait(now, chat_slots) for w in self.chat_windows(chat_id)]
        return max(waits)


@dataclass
class SharedSlots:
    """The slots of every process of the bot, read and taken through the shared database."""

    ctx: Context
    limits: RateLimits

    async def take(self, msg: OutboxMessage) -> float:
        return await take_slot(self.ctx, self.limits, msg)


@dataclass
class LocalSlots:
    """The slots of this process only, kept in memory (one process per database)."""

    clock: Clock
    limits: RateLimits
    _bot: deque[datetime] = field(default_factory=deque)
    _chats: dict[int, deque[datetime]] = field(default_factory=dict)

    async def take(self, msg: OutboxMessage) -> float:
        now = self.clock.now()
        chat = self._chats.setdefault(msg.chat_id, deque())
        _forget_before(self._bot, now - timedelta(seconds=BOT_WINDOW))
        _forget_before(chat, now - timedelta(seconds=self.limits.lookback(msg.chat_id)))
        wait = self.limits.wait(msg.chat_id, now, list(self._bot), list(chat))
        if wait == 0:
            self._bot.append(now)
            chat.append(now)
        elif not chat:
            del self._chats[msg.chat_id]
        return wait


def _forget_before(slots: deque[datetime], since: datetime) -> None:
    while slots and slots[0] <= since:
        slots.popleft()


async def take_slot(ctx: Context, limits: RateLimits, msg: OutboxMessage) -> float:
    """0 when `msg` may be sent now (its slot is taken and committed), else seconds to wait."""
    assert msg.id is not None
    now = ctx.now()
    async with ctx.uow() as uow:
        bot, chat = await uow.outbox.recent_slots(
            msg.chat_id, now - timedelta(seconds=BOT_WINDOW),
            now - timedelta(seconds=limits.lookback(msg.chat_id)))
        wait = limits.wait(msg.chat_id, now, bot, chat)
        if wait == 0:
            await uow.outbox.take_slot(msg.id, now)
            await uow.commit()
    return wait
