"""Department KPIs through the read-side views, on SQLite and PostgreSQL: every rate with its
numerator and denominator, "nothing to rate" as None, confirmed categories, ranking, 末位."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.workflow_office.conftest import SHANGHAI, add_ticket, supervisor
from workflow.context import Context
from workflow.model import TicketEvent
from workflow.office import corrections, findings, kpis
from workflow.office.findings import Named
from workflow.office.kpis import Rate
from workflow.office.periods import parse

H = timedelta(hours=1)
MAY = datetime(2024, 5, 6, 2, 0, tzinfo=UTC)     # Monday 10:00 in Shanghai
APRIL = datetime(2024, 4, 8, 2, 0, tzinfo=UTC)


async def _arrive(ctx: Context, ticket_id: int, department: str, at: datetime,
                  kind: str = "routed", **detail: str) -> None:
    async with ctx.uow() as uow:
        await uow.events.add(TicketEvent(ticket_id=ticket_id, kind=kind, at=at, actor="system",
                                         detail={"department": department, **detail}))
        await uow.commit()


async def _good(ctx: Context, department: str, at: datetime) -> int:
    t = await add_ticket(ctx, at, department, state="closed", sign_due=at + 8 * H,
                         signed_at=at + H, answer_due=at + 200 * H, answered_at=at + 50 * H,
                         rating="satisfied")
    await _arrive(ctx, t.id or 0, department, at)
    return t.id or 0


async def _bad(ctx: Context, department: str, at: datetime) -> int:
    t = await add_ticket(ctx, at, department, state="closed", sign_due=at + 8 * H,
                         signed_at=at + 30 * H, answer_due=at + 100 * H,
                         answered_at=at + 300 * H, rating="unsatisfied", reopened_at=at + 310 * H,
                         double_check=True)
    await _arrive(ctx, t.id or 0, department, at)
    return t.id or 0


async def test_kpis_rank_and_last_place_two_periods_in_a_row(ctx: Context) -> None:
    boss = await supervisor(ctx)
    for at in (APRIL, MAY):
        await _good(ctx, "housing", at)
        await _bad(ctx, "market", at)
    await _good(ctx, "market", MAY)
    first = await _good(ctx, "housing", MAY + H)
    returned = await add_ticket(ctx, MAY, "supervision", state="triage")
    await _arrive(ctx, returned.id or 0, "housing", MAY)
    await _arrive(ctx, returned.id or 0, "supervision", MAY + H, kind="returned",
                  **{"from": "housing"})
    async with ctx.uow() as uow:
        await corrections.record(ctx, uow, boss, first, "category", "misconduct")
        await findings.record(ctx, uow, boss, first, "substantiated", [Named("李四")])
        report = await kpis.report(ctx, uow, parse("2024-05", ctx.now(), SHANGHAI))
        await uow.commit()
    rows = {r.department: r for r in report.rows}
    housing, market = rows["housing"], rows["market"]
    assert housing.received == 3 and housing.tickets == 2
    assert housing.returned == Rate(1, 3)
    assert housing.on_time_sign == Rate(2, 2) and housing.on_time_answer == Rate(2, 2)
    assert housing.satisfaction == Rate(2, 2) and housing.dissatisfaction == Rate(0, 2)
    assert housing.substantiated == Rate(1, 1)
    assert housing.categories == {"misconduct": 1, "will_not": 1}   # the confirmed category
    assert market.on_time_sign == Rate(1, 2) and market.satisfaction == Rate(1, 2)
    assert market.reopened == Rate(1, 2) and market.substantiated.value is None
    assert housing.mean_days is not None and market.mean_days is not None
    assert market.mean_days > housing.mean_days
    assert (housing.rank, market.rank) == (1, 2)
    assert report.last_place == ["market"] and market.last_place
    transport = rows["transport"]
    assert transport.tickets == 0 and transport.satisfaction.value is None
    assert transport.rank is None and not report.empty


async def test_an_empty_period_has_rows_without_values(ctx: Context) -> None:
    async with ctx.uow() as uow:
        report = await kpis.report(ctx, uow, parse("2019Q2", ctx.now(), SHANGHAI))
    assert report.empty and report.last_place == []
    assert all(r.on_time_answer.value is None and r.rank is None for r in report.rows)


async def test_overdue_now_counts_open_tickets_past_their_current_deadline(ctx: Context) -> None:
    now = ctx.now()
    await add_ticket(ctx, now - 400 * H, "transport", state="routed", sign_due=now - H)
    await add_ticket(ctx, now - 400 * H, "transport", state="signed", sign_due=now - 300 * H,
                     signed_at=now - 390 * H, answer_due=now - 2 * H)
    await add_ticket(ctx, now - 400 * H, "transport", state="signed", answer_due=now + H)
    await add_ticket(ctx, now - 400 * H, "transport", state="closed", answer_due=now - H)
    async with ctx.uow() as uow:
        counts = await uow.office_views.department_counts(now, now + H, now)
    assert counts["transport"].overdue_now == 2
