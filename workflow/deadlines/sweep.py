"""The deadline sweep: claim due actions, act on them, queue the notices — exactly once.

One batch is one transaction: the claim (a conditional UPDATE … RETURNING, SKIP LOCKED on
PostgreSQL), the notices (outbox rows), events, ledger records and state changes commit
together. A process killed mid-batch rolls back, so its actions are simply due again;
two processes never get the same action. Every action is re-checked against its ticket
first (`schedule.applies`): an answered ticket gets no reminder, whatever the table says.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workflow.chat.messages import Button, Outgoing
from workflow.context import Context
from workflow.deadlines import schedule
from workflow.model import LedgerEntry, OutboxMessage, ScheduledAction, Ticket, TicketEvent
from workflow.outbox import queue
from workflow.ports import UnitOfWork
from workflow.taxonomy import TRIAGE
from workflow.tickets import rating

log = logging.getLogger("zhiyong.sweep")
MAX_PLAN_ROUNDS = 20


@dataclass(frozen=True)
class SweepPolicy:
    batch: int = 500
    max_attempts: int = 5                      # an action that keeps raising is then `failed`
    retry_after: timedelta = timedelta(minutes=5)


@dataclass
class SweepResult:
    claimed: int = 0
    acted: int = 0
    skipped: int = 0
    failed: int = 0
    messages: int = 0

    def add(self, other: SweepResult) -> None:
        for name in ("claimed", "acted", "skipped", "failed", "messages"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Effects:
    """What one action produces; merged into the batch only when the action succeeded."""

    messages: list[OutboxMessage] = field(default_factory=list)
    events: list[TicketEvent] = field(default_factory=list)
    ledger: list[LedgerEntry] = field(default_factory=list)


class Batch:
    """Per-batch lookups (group chats, complainant chats) and helpers to build notices."""

    def __init__(self, ctx: Context, uow: UnitOfWork, now: datetime,
                 citizens: dict[int, int], groups: dict[str, int]) -> None:
        self.ctx, self.uow, self.now, self.citizens = ctx, uow, now, citizens
        self._groups = groups

    async def group(self, department: str) -> int | None:
        """Same rule as routing.group_of (a /bind wins over config), without a query each."""
        return self._groups.get(department, self.ctx.departments.get(department))

    def notice(self, fx: Effects, t: Ticket, a: ScheduledAction, chat_id: int | None, key: str,
               buttons: list[list[Button]] | None = None, ring: bool = False,
               **params: Any) -> None:
        if chat_id is None or t.id is None:
            return
        out = Outgoing(chat_id, key, {**ticket_params(t), **params}, buttons=buttons or [],
                       ring=ring)
        fx.messages.append(queue.row(self.ctx, out, dedupe_key(key, t.id, a.deadline, chat_id),
                                     t, key.rsplit(".", 1)[-1], self.now))

    def event(self, fx: Effects, t: Ticket, a: ScheduledAction, kind: str) -> None:
        assert t.id is not None
        fx.events.append(TicketEvent(ticket_id=t.id, kind=kind, at=self.now, actor="system",
                                     detail={"deadline": a.deadline.isoformat(),
                                             "action": a.kind}))

    def record(self, fx: Effects, t: Ticket, a: ScheduledAction, kind: str,
               accountable: int | None) -> None:
        assert t.id is not None
        fx.ledger.append(LedgerEntry(ticket_id=t.id, department=t.department, kind=kind,
                                     deadline=a.deadline, at=self.now, accountable=accountable))


def dedupe_key(key: str, ticket_id: int, deadline: datetime, chat_id: int) -> str:
    """(ticket, kind, deadline) and the audience: the same notice is never queued twice."""
    return f"{key}:{ticket_id}:{deadline.timestamp():.0f}:{chat_id}"


def ticket_params(t: Ticket) -> dict[str, Any]:
    return {"number": t.number, "department": t.department, "category": t.category,
            "urgent": t.urgent, "sign_due": t.sign_due, "answer_due": t.answer_due,
            "double_check": t.double_check}


# ---- the actions --------------------------------------------------------------------------

Handler = Callable[[Batch, Ticket, ScheduledAction, Effects], Awaitable[None]]


async def _remind(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    b.notice(fx, t, a, await b.group(t.department), f"deadline.{a.kind}")


async def _office_too(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects, base: str) -> None:
    dept, office = await b.group(t.department), await b.group(TRIAGE)
    who = await rating.handler_name(b.uow, t.signed_by)
    b.notice(fx, t, a, dept, f"deadline.{base}_dept", handler=t.signed_by, handler_name=who)
    if office != dept:
        b.notice(fx, t, a, office, f"deadline.{base}_office", handler=t.signed_by,
                 handler_name=who)


async def _wake_duty(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    """An urgent ticket chased at night: the department's duty contacts, privately, ringing."""
    if not b.ctx.deadlines.wakes_duty(b.now, t.urgent):
        return
    roles = b.ctx.deadlines.urgent_duty_roles
    stage = "sign" if a.kind.startswith("sign_") else "answer"
    for m in await b.uow.staff.listing(t.department):
        if m.active and m.role in roles:
            b.notice(fx, t, a, m.telegram_id, "deadline.duty_call", ring=True, stage=stage)


async def _urge(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    """催办: the department and the oversight office, the next working morning after due."""
    await _office_too(b, t, a, fx, a.kind)
    await _wake_duty(b, t, a, fx)
    b.event(fx, t, a, a.kind)
    b.record(fx, t, a, a.kind, t.signed_by if a.kind == "urge" else None)


async def _supervise(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    """督办: the department's head (privately, when registered) and the oversight office."""
    await _office_too(b, t, a, fx, a.kind)
    for head in await heads(b.uow, t.department):
        b.notice(fx, t, a, head, f"deadline.{a.kind}_head", handler=t.signed_by,
                 handler_name=await rating.handler_name(b.uow, t.signed_by))
    b.event(fx, t, a, a.kind)
    b.record(fx, t, a, a.kind, t.signed_by if a.kind == "supervise" else None)


async def heads(uow: UnitOfWork, department: str) -> list[int]:
    return [m.telegram_id for m in await uow.staff.listing(department)
            if m.role == "head" and m.active]


async def _rating_ask(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    if t.rating:
        return
    chat = b.citizens.get(t.complainant_id)
    key = "rating.ask" if a.kind == "rating_ask" else "rating.remind"
    b.notice(fx, t, a, chat, key, buttons=rating.buttons(t),
             rating_due=schedule.deadlines_of(b.ctx, t)["rating_due"])


async def _rating_close(b: Batch, t: Ticket, a: ScheduledAction, fx: Effects) -> None:
    """No rating within the window: closed as 未评价; a 不满意 without a reason reopens."""
    if t.rating == rating.UNSATISFIED:
        await rating.reopen(b.ctx, b.uow, t, "", actor="system")
    else:
        await rating.close_unrated(b.ctx, b.uow, t)


HANDLERS: dict[str, Handler] = {
    "remind_half": _remind, "remind_last_day": _remind,
    "urge": _urge, "sign_urge": _urge,
    "supervise": _supervise, "sign_supervise": _supervise,
    "rating_ask": _rating_ask, "rating_remind": _rating_ask,
    "rating_close": _rating_close,
}
WRITES_STATE = frozenset({"rating_close"})


# ---- the sweep ----------------------------------------------------------------------------

async def sweep(ctx: Context, worker: str, policy: SweepPolicy | None = None) -> SweepResult:
    """Run every due action, batch by batch, until none is left."""
    policy = policy or SweepPolicy()
    total = SweepResult()
    for _ in range(MAX_PLAN_ROUNDS):      # bounded: the rest waits for the next sweep
        if await _plan_changed(ctx, policy) < policy.batch:
            break
    while True:
        result = await sweep_batch(ctx, worker, policy)
        total.add(result)
        if result.claimed < policy.batch:
            return total


async def _plan_changed(ctx: Context, policy: SweepPolicy) -> int:
    async with ctx.uow() as uow:
        n = await schedule.plan_changed(ctx, uow, policy.batch)
        await uow.commit()
    if n:
        log.info("planned deadline actions of %d changed tickets", n)
    return n


async def sweep_batch(ctx: Context, worker: str, policy: SweepPolicy) -> SweepResult:
    now = ctx.now()
    result = SweepResult()
    async with ctx.uow() as uow:
        actions = await uow.actions.claim_due(now, worker, policy.batch)
        result.claimed = len(actions)
        if not actions:
            return result
        tickets = await uow.tickets.many(sorted({a.ticket_id for a in actions}))
        citizens = await uow.complainants.chats(
            sorted({t.complainant_id for t in tickets.values()}))
        batch = Batch(ctx, uow, now, citizens, await uow.bindings.chats())
        merged = Effects()
        skipped: list[int] = []
        current = latest_of_each_ladder(actions)
        for a in actions:
            t = tickets.get(a.ticket_id)
            if a.id not in current:          # overtaken by a later step due at the same time
                skipped.append(a.id or 0)
                continue
            if t is None or not schedule.applies(t, a.kind, a.deadline):
                skipped.append(a.id or 0)
                if t is not None:   # the ticket moved without re-planning: heal it now
                    await schedule.plan_ticket(ctx, uow, t)
                continue
            if await _act(batch, t, a, merged, policy):
                result.acted += 1
            else:
                result.failed += 1
        await uow.actions.skip(skipped)
        result.skipped = len(skipped)
        result.messages = await uow.outbox.add_many(merged.messages)
        await uow.events.add_many(merged.events)
        await uow.ledger.add(merged.ledger)
        await uow.commit()
    return result


def latest_of_each_ladder(actions: list[ScheduledAction]) -> set[int | None]:
    """After an outage several steps of one ladder can be due at once: only the latest acts
    (a 督办 makes the missed reminders and 催办 moot; a closed rating window, the ask)."""
    latest: dict[tuple[int, str], ScheduledAction] = {}
    for a in actions:
        key = (a.ticket_id, schedule.family(a.kind))
        if key not in latest or (a.due_at, a.id or 0) > (latest[key].due_at, latest[key].id or 0):
            latest[key] = a
    return {a.id for a in latest.values()}


async def _act(b: Batch, t: Ticket, a: ScheduledAction, merged: Effects,
               policy: SweepPolicy) -> bool:
    """Run one action; on error record it (retry later, or give up after max_attempts)."""
    fx = Effects()
    try:
        if a.kind in WRITES_STATE:
            async with b.uow.savepoint():
                await HANDLERS[a.kind](b, t, a, fx)
        else:
            await HANDLERS[a.kind](b, t, a, fx)
    except Exception as exc:
        log.exception("action %s (%s of ticket %s) failed", a.id, a.kind, a.ticket_id)
        retry = b.now + policy.retry_after if a.attempts < policy.max_attempts else None
        await b.uow.actions.fail(a.id or 0, f"{type(exc).__name__}: {exc}", retry)
        return False
    merged.messages += fx.messages
    merged.events += fx.events
    merged.ledger += fx.ledger
    return True
