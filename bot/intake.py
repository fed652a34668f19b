"""Updates in, framework-neutral: one chat's updates in order, chats in parallel, and an update
acknowledged to Telegram only once it is committed: handled, or kept in the inbox.

Both libraries confirm a fetched batch with the next getUpdates before handling it, so a
process killed mid-batch loses it. Here the offset sent to Telegram is the lowest update still
in flight and not kept: a killed process gets the unfinished ones again, and the processed-update
record (workflow.chat.dispatch) makes each take effect once. getUpdates hands out at most 100
updates from that offset, so behind a flooding chat other chats' updates would not even be
fetched: updates still in flight at the next fetch are kept in the inbox (one transaction) and
confirmed; a start hands every kept update to its lane again before the first fetch. Webhook
requests use the same lanes and are answered only when their update is done.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.translate import chat_key

log = logging.getLogger("zhiyong.intake")
Update = dict[str, Any]   # as Telegram sent it; the adapter parses it when its turn comes
Job = Callable[[], Awaitable[None]]
REFETCH_LAG = 0.1   # seconds between getUpdates while updates are still being handled
                    # (the default of [telegram] refetch_lag)
Spilled = tuple[int, int | None, Update]   # update_id, chat key, the update


class Inbox(Protocol):
    """Durable copies of updates confirmed to Telegram before they were handled."""

    async def keep(self, updates: list[Spilled]) -> None: ...
    async def drop(self, update_ids: list[int]) -> None: ...
    async def pending(self) -> list[Update]: ...


class Lanes:
    """One FIFO lane per key, at most `limit` jobs running at once across all lanes.

    A flooding chat occupies one slot; every other chat still gets the rest.
    """

    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)
        self._lanes: dict[Hashable, deque[tuple[Job, asyncio.Future[None]]]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: Hashable, job: Job) -> asyncio.Future[None]:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = deque()
            task = asyncio.create_task(self._drain(key, lane))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        lane.append((job, done))
        return done

    async def _drain(self, key: Hashable, lane: deque[tuple[Job, asyncio.Future[None]]]) -> None:
        try:
            while lane:
                job, done = lane[0]
                async with self._slots:
                    try:
                        await job()
                    except Exception as exc:  # the job logs; the lane goes on with the next
                        if not done.done():
                            done.set_exception(exc)
                    else:
                        if not done.done():
                            done.set_result(None)
                lane.popleft()
                # Yield once between two jobs of a lane: a flooding chat would otherwise take
                # the database connection straight back, ahead of the other chats waiting.
                await asyncio.sleep(0)
        finally:
            self._lanes.pop(key, None)
            for _, done in lane:   # cancelled at shutdown: nothing left is reported done
                done.cancel()

    @property
    def busy(self) -> int:
        return sum(len(lane) for lane in self._lanes.values())

    async def close(self, grace: float) -> None:
        """Let running jobs finish for up to `grace` seconds, then cancel the rest."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending)


@dataclass
class Offsets:
    """Which fetched updates are in flight or done, and the offset that confirms them."""

    next: int | None = None                 # the offset for the next getUpdates
    in_flight: set[int] = field(default_factory=set)
    kept: set[int] = field(default_factory=set)   # in flight, kept in the inbox: confirmable
    done: set[int] = field(default_factory=set)   # finished, above the lowest in flight
    idle: asyncio.Event = field(default_factory=asyncio.Event)   # nothing in flight
    highest: int = -1

    def begin(self, update_id: int) -> bool:
        """False for an update already in flight or done here (a redelivery within a batch)."""
        if update_id in self.in_flight or update_id in self.done:
            return False
        if self.next is not None and update_id < self.next:
            return False
        self.in_flight.add(update_id)
        self.idle.clear()
        self.highest = max(self.highest, update_id)
        return True

    def end(self, update_id: int) -> bool:
        """Mark it finished; True if it was kept in the inbox (its row may go now)."""
        self.in_flight.discard(update_id)
        kept = update_id in self.kept
        self.kept.discard(update_id)
        self.done.add(update_id)
        self._advance()
        if not self.in_flight:
            self.done.clear()
            self.idle.set()
        elif len(self.done) > 1000:
            self.done = {u for u in self.done if u >= (self.next or 0)}
        return kept

    def unkept(self) -> list[int]:
        """In flight and not yet kept in the inbox: what holds the offset back."""
        return sorted(self.in_flight - self.kept)

    def keep(self, update_ids: list[int]) -> list[int]:
        """They are in the inbox now; returns those that finished meanwhile (rows to drop)."""
        self.kept.update(u for u in update_ids if u in self.in_flight)
        self._advance()
        return [u for u in update_ids if u not in self.in_flight]

    def _advance(self) -> None:
        unkept = self.in_flight - self.kept
        if unkept:
            self.next = min(unkept)
        elif self.highest >= 0:
            self.next = self.highest + 1


Fetch = Callable[[int | None, float], Awaitable[list[Update]]]


class Intake:
    """The lanes and the offset bookkeeping for one bot; `poll` is the getUpdates loop."""

    def __init__(self, handle: Callable[[Update], Awaitable[None]], limit: int,
                 inbox: Inbox | None = None, refetch_lag: float = REFETCH_LAG) -> None:
        self.handle = handle
        self.lanes = Lanes(limit)
        self.offsets = Offsets()
        self.inbox = inbox          # without it a polled backlog holds the offset back
        self._running: dict[int, asyncio.Future[None]] = {}
        self._fetched: dict[int, Update] = {}   # in flight from getUpdates or the inbox
        self._handled_kept: list[int] = []      # their inbox rows to drop
        self._stopping = asyncio.Event()
        self.handled = 0
        self.refetch_lag = refetch_lag

    def submit(self, update: Update) -> asyncio.Future[None]:
        """Handle `update` in its chat's lane; the future is done once it is committed.

        The same update submitted again while in flight (a webhook retry) joins the first.
        """
        uid = int(update["update_id"])
        running = self._running.get(uid)
        if running is not None:
            return running
        key = chat_key(update)
        done = self.lanes.submit(("chat", key) if key is not None else ("update", uid),
                                 lambda: self._handle(update))
        self._running[uid] = done
        done.add_done_callback(lambda _: self._running.pop(uid, None))
        return done

    async def _handle(self, update: Update) -> None:
        try:
            await self.handle(update)
        except Exception:
            # Acknowledged anyway: one update that always fails must not hold back the others.
            log.exception("update %s failed", update.get("update_id"))
        self.handled += 1

    async def poll(self, fetch: Fetch, timeout: float, retry: float = 1.0) -> None:
        """Fetch batches until stopped; each update acknowledged only once committed."""
        await self._resume(retry)
        while not self._stopping.is_set():
            await self._drop_handled()
            try:
                batch = await fetch(self.offsets.next, timeout)
            except asyncio.CancelledError:
                raise
            except Exception as exc:   # network, 409 conflict, 5xx: Telegram's side; retry
                log.warning("getUpdates failed (%s: %s); retrying in %.0fs",
                            type(exc).__name__, exc, retry)
                await self._pause(retry)
                continue
            for update in batch:
                self._begin(update)
            if self.offsets.in_flight:
                # Telegram hands unconfirmed updates out again at once: rather than spin on
                # getUpdates, ask again when all are done or after a short lag; what is still
                # in flight then is kept in the inbox and confirmed, so the next batch holds
                # the other chats' new updates, not the backlog again.
                await self._pause(self.refetch_lag, self.offsets.idle)
                await self._keep_backlog()

    async def replay(self, retry: float = 1.0) -> asyncio.Future[None]:
        """Webhook mode: hand the updates a polling run kept to their lanes before any new
        one; the returned future drops their rows once they are handled."""
        await self._resume(retry)
        return asyncio.ensure_future(self._drop_when_handled(list(self._running.values())))

    async def _drop_when_handled(self, running: list[asyncio.Future[None]]) -> None:
        await asyncio.gather(*running, return_exceptions=True)
        await self._drop_handled()

    def _begin(self, update: Update, kept: bool = False) -> None:
        uid = int(update["update_id"])
        if not self.offsets.begin(uid):
            return
        if kept:
            self.offsets.keep([uid])
        self._fetched[uid] = update
        self.submit(update).add_done_callback(functools.partial(self._end, uid))

    def _end(self, update_id: int, done: asyncio.Future[None]) -> None:
        if done.cancelled():   # stopped before it finished: neither confirmed nor dropped
            return
        self._fetched.pop(update_id, None)
        if self.offsets.end(update_id):
            self._handled_kept.append(update_id)

    async def _resume(self, retry: float) -> None:
        """Before the first fetch: every update kept by an earlier run, in order, to its lane
        (those handled before a kill are ignored by dispatch's processed-update record)."""
        while self.inbox is not None and not self._stopping.is_set():
            try:
                kept = await self.inbox.pending()
            except Exception as exc:
                log.warning("could not read the update inbox (%s: %s); retrying in %.0fs",
                            type(exc).__name__, exc, retry)
                await self._pause(retry)
                continue
            if kept:
                log.info("resuming %d updates kept in the inbox", len(kept))
            for update in kept:
                self._begin(update, kept=True)
            return

    async def _keep_backlog(self) -> None:
        """Keep what is still in flight in the inbox (one transaction), then confirm it."""
        ids = self.offsets.unkept()
        if self.inbox is None or not ids:
            return
        rows = [(u, chat_key(self._fetched[u]), self._fetched[u]) for u in ids]
        try:
            await self.inbox.keep(rows)
        except Exception as exc:   # the offset stays where it was: nothing is confirmed
            log.warning("could not keep %d updates in the inbox (%s: %s)",
                        len(rows), type(exc).__name__, exc)
            return
        self._handled_kept.extend(self.offsets.keep(ids))

    async def _drop_handled(self) -> None:
        """Delete the inbox rows of kept updates since handled (a re-run would be a no-op)."""
        ids, self._handled_kept = self._handled_kept, []
        if self.inbox is None or not ids:
            return
        try:
            await self.inbox.drop(ids)
        except Exception as exc:   # harmless: dropped next time, or ignored when resumed
            log.warning("could not drop %d handled updates from the inbox (%s: %s)",
                        len(ids), type(exc).__name__, exc)
            self._handled_kept.extend(ids)

    async def _pause(self, seconds: float, event: asyncio.Event | None = None) -> None:
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if event is not None:
            waits.append(asyncio.ensure_future(event.wait()))
        _, pending = await asyncio.wait(waits, timeout=seconds,
                                        return_when=asyncio.FIRST_COMPLETED)
        for w in pending:
            w.cancel()

    def stop(self) -> None:
        self._stopping.set()

    async def close(self, grace: float = 10.0) -> None:
        """Stop fetching; let handling finish (what does not finish is fetched again later)."""
        self.stop()
        await self.lanes.close(grace)
        await self._drop_handled()
