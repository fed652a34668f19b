"""Routing: the classified department's group, else the oversight office with the reason."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.app import App
from workflow.tickets.routing import route


@dataclass
class Classified:
    department: str
    triaged: bool = False
    category_unconfirmed: bool = False
    category: str = "will_not"
    urgent: bool = False
    tags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)


async def test_unbound_department_goes_to_supervision_with_a_note(app: App) -> None:
    # a department of the catalogue that no test ever binds
    ctx = replace(app.ctx, departments={"supervision": -42, "new_bureau": None})
    async with ctx.uow() as uow:
        r = await route(ctx, uow, Classified("new_bureau"))
    assert (r.department, r.note) == ("supervision", "unbound:new_bureau")
    assert r.chat_id is not None


async def test_low_confidence_goes_to_triage(app: App) -> None:
    ctx = replace(app.ctx, departments={"supervision": -42, "tax": -7})
    async with ctx.uow() as uow:
        r = await route(ctx, uow, Classified("tax", triaged=True))
        assert (r.department, r.note) == ("supervision", "low_confidence")


async def test_bound_department_gets_its_group(app: App) -> None:
    ctx = replace(app.ctx, departments={"supervision": -42, "new_bureau": -77})
    async with ctx.uow() as uow:
        r = await route(ctx, uow, Classified("new_bureau"))
    assert (r.department, r.chat_id, r.note) == ("new_bureau", -77, "")
