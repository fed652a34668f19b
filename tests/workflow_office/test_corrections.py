"""Triage corrections and the identity audit, stored on both databases."""

from __future__ import annotations

import pytest

from tests.workflow_office.conftest import NOW, add_ticket, supervisor
from workflow.context import Context
from workflow.errors import BadCorrectionField, NotSupervisor, UnknownCategory, UnknownDepartment
from workflow.model import TicketEvent
from workflow.office import audit, corrections


async def test_corrections_keep_text_old_new_who_when(ctx: Context) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW, "supervision", state="triage")
    async with ctx.uow() as uow:
        await uow.events.add(TicketEvent(ticket_id=t.id or 0, kind="routed", at=NOW,
                                         actor="system", detail={"department": "supervision",
                                                                 "classified_as": "urban"}))
        first = await corrections.record(ctx, uow, boss, t.id or 0, "department", "housing")
        same = await corrections.record(ctx, uow, boss, t.id or 0, "category", "will_not")
        fixed = await corrections.record(ctx, uow, boss, t.id or 0, "category", "dare_not")
        await uow.commit()
    assert (first.old, first.new, first.by, first.at) == ("urban", "housing", boss.telegram_id,
                                                          NOW)
    assert (same.old, same.new) == ("will_not", "will_not")
    assert (fixed.old, fixed.new, fixed.text) == ("will_not", "dare_not", t.text)
    async with ctx.uow() as uow:
        kinds = [e.kind for e in await uow.events.for_ticket(t.id or 0)]
        listed = [c for n, c in await corrections.export(ctx, uow) if n == t.number]
    assert kinds[-3:] == ["label_corrected", "label_confirmed", "label_corrected"]
    assert [c.id for c in listed] == [first.id, same.id, fixed.id]


async def test_bad_corrections_are_refused(ctx: Context) -> None:
    boss = await supervisor(ctx)
    clerk = await supervisor(ctx, role="staff", department="housing")
    t = await add_ticket(ctx, NOW, "supervision", state="triage")
    async with ctx.uow() as uow:
        with pytest.raises(NotSupervisor):
            await corrections.record(ctx, uow, clerk, t.id or 0, "category", "other")
        with pytest.raises(BadCorrectionField):
            await corrections.record(ctx, uow, boss, t.id or 0, "urgent", "yes")
        with pytest.raises(UnknownCategory):
            await corrections.record(ctx, uow, boss, t.id or 0, "category", "lazy")
        with pytest.raises(UnknownDepartment):
            await corrections.record(ctx, uow, boss, t.id or 0, "department", "supervision")


async def test_identity_views_are_recorded(ctx: Context) -> None:
    t = await add_ticket(ctx, NOW, anonymous=False)
    async with ctx.uow() as uow:
        assert await audit.record_views(ctx, uow, "cli:root", "export", [t.id or 0]) == 1
        assert await audit.record_views(ctx, uow, "cli:root", "export", []) == 0
        await uow.commit()
    async with ctx.uow() as uow:
        seen = await uow.audit.for_ticket(t.id or 0)
    assert [(v.viewer, v.purpose, v.at) for v in seen] == [("cli:root", "export", NOW)]
