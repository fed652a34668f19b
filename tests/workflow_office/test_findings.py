"""Findings and measures, officials and the repeat-offender rule, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from storage.tables import OutboxRow
from tests.workflow_office.conftest import NOW, add_ticket, bind_office, supervisor
from workflow.context import Context
from workflow.errors import (
    BadOfficialName,
    FindingExists,
    FindingOnOpenTicket,
    HeadRecordRequired,
    MeasureWithoutFinding,
    NoOfficialNamed,
    NothingChanged,
    NotSupervisor,
    UnknownMeasure,
    UnknownVerdict,
)
from workflow.office import findings, officials
from workflow.office.findings import Named
from workflow.office.model import Measure, OfficialRole, Verdict


def person() -> str:
    return "张" + secrets.token_hex(3)


async def test_a_finding_is_recorded_with_its_officials_and_an_event(ctx: Context) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW)
    name = person()
    async with ctx.uow() as uow:
        done = await findings.record(ctx, uow, boss, t.id or 0, Verdict.SUBSTANTIATED,
                                     [Named(name, "科员", "住建局物业科", measure=Measure.CRITICISM)])
        await uow.commit()
    assert done.flags == []
    async with ctx.uow() as uow:
        f = await uow.findings.for_ticket(t.id or 0)
        kinds = [e.kind for e in await uow.events.for_ticket(t.id or 0)]
        official = await uow.officials.get(f.concerned[0].official_id) if f else None
    assert f is not None and f.verdict == "substantiated" and f.concerned[0].measure == "criticism"
    assert official is not None and official.name == name and f.concerned[0].year == 2026
    assert kinds == ["finding_recorded"]


@pytest.mark.parametrize("state", ["routed", "signed", "triage", "reopened"])
async def test_a_finding_on_an_open_ticket_is_refused(ctx: Context, state: str) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW, state=state)
    async with ctx.uow() as uow:
        with pytest.raises(FindingOnOpenTicket) as err:
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.UNFOUNDED, [])
    assert err.value.params == {"number": t.number, "state": state}


async def test_a_measure_needs_a_substantiated_finding(ctx: Context) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW)
    sanction = [Named(person(), measure=Measure.ADMONITION)]
    async with ctx.uow() as uow:
        with pytest.raises(MeasureWithoutFinding):
            await findings.record(ctx, uow, boss, t.id or 0, None, sanction)
        with pytest.raises(MeasureWithoutFinding):
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.UNFOUNDED, sanction)
        with pytest.raises(UnknownVerdict):
            await findings.record(ctx, uow, boss, t.id or 0, "maybe", [])
        with pytest.raises(UnknownMeasure):
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.PARTLY,
                                  [Named(person(), measure="shot")])
        with pytest.raises(NoOfficialNamed):
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.PARTLY, [])


@pytest.mark.parametrize("name", ["张" * 500, "   ", "\u3000\u3000", ""])
async def test_an_officials_name_of_500_characters_or_only_spaces_is_refused(
        ctx: Context, name: str) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW)
    async with ctx.uow() as uow:
        with pytest.raises(BadOfficialName) as err:
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.SUBSTANTIATED, [Named(name)])
    assert err.value.params["reason"] == ("too_long" if name.strip() else "empty")


async def test_double_check_tickets_need_the_units_head_as_well(ctx: Context) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW, state="closed", double_check=True)
    handler = Named(person(), unit="住建局", measure=Measure.CRITICISM)
    async with ctx.uow() as uow:
        with pytest.raises(HeadRecordRequired):
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.SUBSTANTIATED, [handler])
        head = Named(person(), "局长", "住建局", role=OfficialRole.HEAD, measure=Measure.NONE)
        done = await findings.record(ctx, uow, boss, t.id or 0, Verdict.SUBSTANTIATED,
                                     [handler, head])
        await uow.commit()
    assert [c.role for c in done.finding.concerned] == ["handler", "head"]


async def test_only_the_office_records_findings_and_only_once(ctx: Context) -> None:
    clerk = await supervisor(ctx, role="staff", department="housing")
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW)
    async with ctx.uow() as uow:
        with pytest.raises(NotSupervisor):
            await findings.record(ctx, uow, clerk, t.id or 0, Verdict.UNFOUNDED, [])
        await findings.record(ctx, uow, boss, t.id or 0, Verdict.UNFOUNDED, [])
        with pytest.raises(FindingExists):
            await findings.record(ctx, uow, boss, t.id or 0, Verdict.UNFOUNDED, [])


async def test_corrections_are_events_with_who_when_old_and_new(ctx: Context) -> None:
    boss = await supervisor(ctx)
    t = await add_ticket(ctx, NOW)
    name = person()
    async with ctx.uow() as uow:
        await findings.record(ctx, uow, boss, t.id or 0, Verdict.UNFOUNDED, [Named(name)])
        await uow.commit()
    async with ctx.uow() as uow:
        with pytest.raises(NothingChanged):
            await findings.correct(ctx, uow, boss, t.id or 0, verdict=Verdict.UNFOUNDED)
        with pytest.raises(MeasureWithoutFinding):
            await findings.correct(ctx, uow, boss, t.id or 0,
                                   named=[Named(name, measure=Measure.REMOVAL)])
        await findings.correct(ctx, uow, boss, t.id or 0, verdict=Verdict.PARTLY,
                               named=[Named(name, measure=Measure.ADMONITION)])
        await uow.commit()
    async with ctx.uow() as uow:
        f = await uow.findings.for_ticket(t.id or 0)
        history = await uow.events.for_ticket(t.id or 0)
    assert f is not None and f.verdict == "partly" and f.concerned[0].measure == "admonition"
    fix = history[-1]
    assert fix.kind == "finding_corrected" and fix.actor == f"office:{boss.telegram_id}"
    assert fix.at == NOW and fix.detail["name"] == boss.display_name
    changed = {c["field"]: (c["old"], c["new"]) for c in fix.detail["changes"]}
    assert changed["verdict"] == ("unfounded", "partly")
    assert changed["officials"][0][0]["measure"] == "none"
    assert changed["officials"][1][0]["measure"] == "admonition"


async def test_spellings_match_after_normalisation(ctx: Context) -> None:
    base = secrets.token_hex(2)
    async with ctx.uow() as uow:
        a = await officials.match(ctx, uow, f"張 偉{base}", "住建局", "科長")
        b = await officials.match(ctx, uow, f"  张伟{base.upper()} ", "住建局", "")
        c = await officials.match(ctx, uow, f"张伟{base}", "城管局", "")
        await uow.commit()
    assert a.id == b.id != c.id and a.name == f"張 偉{base}"


async def _substantiate(ctx: Context, boss, name: str, filed: datetime, unit: str = "住建局"):  # type: ignore[no-untyped-def]
    t = await add_ticket(ctx, filed)
    async with ctx.uow() as uow:
        done = await findings.record(ctx, uow, boss, t.id or 0, Verdict.PARTLY,
                                     [Named(name, unit=unit, measure=Measure.CRITICISM)])
        await uow.commit()
    return t, done


async def _notices(ctx: Context, chat: int) -> list[dict]:  # type: ignore[type-arg]
    async with ctx.uow() as uow:
        rows = (await uow.session.exec(select(OutboxRow.payload).where(  # type: ignore[attr-defined]
            OutboxRow.chat_id == chat, OutboxRow.kind == "office"))).all()
    return list(rows)


async def test_second_substantiated_complaint_in_a_year_flags_the_official(ctx: Context) -> None:
    chat = await bind_office(ctx)
    boss = await supervisor(ctx)
    name = person()
    december = datetime(2025, 12, 30, 4, 0, tzinfo=UTC)
    january = datetime(2026, 1, 2, 4, 0, tzinfo=UTC)
    _, first = await _substantiate(ctx, boss, name, december)
    _, second = await _substantiate(ctx, boss, name, january)
    assert first.flags == second.flags == []          # the year boundary resets the count
    _, third = await _substantiate(ctx, boss, name, datetime(2026, 6, 1, 4, 0, tzinfo=UTC))
    assert [(f.year, len(f.tickets)) for f in third.flags] == [(2026, 2)]
    notices = [p for p in await _notices(ctx, chat) if p["params"]["name"] == name]
    assert len(notices) == 1 and notices[0]["key"] == "office.repeat_offender"
    _, fourth = await _substantiate(ctx, boss, name, datetime(2026, 7, 1, 4, 0, tzinfo=UTC))
    assert len(fourth.flags[0].tickets) == 3                  # still flagged, not re-announced
    assert len([p for p in await _notices(ctx, chat) if p["params"]["name"] == name]) == 1
    async with ctx.uow() as uow:
        flagged = await uow.office_views.flagged_officials(2026, officials.REPEAT_THRESHOLD)
        flagged_2025 = await uow.office_views.flagged_officials(2025, officials.REPEAT_THRESHOLD)
    assert [f.count for f in flagged if f.name == name] == [3]
    assert not [f for f in flagged_2025 if f.name == name]


async def test_merging_two_spellings_brings_their_findings_together(ctx: Context) -> None:
    await bind_office(ctx)
    boss = await supervisor(ctx)
    name = person()
    when = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)
    _, a = await _substantiate(ctx, boss, name, when, unit="住建局")
    _, b = await _substantiate(ctx, boss, name, when, unit="住房和城乡建设局")
    assert a.flags == b.flags == []
    keep, other = a.finding.concerned[0].official_id, b.finding.concerned[0].official_id
    async with ctx.uow() as uow:
        kept, flags = await officials.merge(ctx, uow, boss, keep, other)
        await uow.commit()
    assert kept.id == keep and [(f.year, len(f.tickets)) for f in flags] == [(2026, 2)]
    async with ctx.uow() as uow:
        again = await uow.officials.by_key(*_keys(name, "住房和城乡建设局"))
        with pytest.raises(NothingChanged):
            await officials.merge(ctx, uow, boss, keep, other)
    assert again is not None and again.id == keep


def _keys(name: str, unit: str) -> tuple[str, str]:
    from workflow.office.names import key

    return key(name), key(unit)


async def test_finding_on_a_ticket_filed_at_new_year_counts_in_the_citys_year(ctx: Context) -> None:
    boss = await supervisor(ctx)
    new_year_in_shanghai = datetime(2026, 12, 31, 16, 30, tzinfo=UTC)   # 2027-01-01 00:30 local
    _, done = await _substantiate(ctx, boss, person(), new_year_in_shanghai)
    assert done.finding.concerned[0].year == 2027


async def test_stats_and_officials_are_for_supervisors_only(ctx: Context) -> None:
    from workflow.errors import BadPeriod
    from workflow.office import stats

    clerk = await supervisor(ctx, role="head", department="housing")
    boss = await supervisor(ctx, role="admin")
    async with ctx.uow() as uow:
        with pytest.raises(NotSupervisor):
            await stats.department_stats(ctx, uow, clerk, "month")
        with pytest.raises(NotSupervisor):
            await stats.flagged_officials(ctx, uow, clerk, "")
        with pytest.raises(BadPeriod):
            await stats.department_stats(ctx, uow, boss, "2026Q5")
        with pytest.raises(BadPeriod):
            await stats.flagged_officials(ctx, uow, boss, "20x6")
        report = await stats.department_stats(ctx, uow, boss, "")
        year, _ = await stats.flagged_officials(ctx, uow, boss, "")
    assert report.period.label == "2026-12" and year == 2026
