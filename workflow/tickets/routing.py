"""Who receives a ticket: the classified department's group, else the oversight office."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.context import Context
from workflow.ports import Classified, UnitOfWork
from workflow.taxonomy import TRIAGE


@dataclass(frozen=True)
class Route:
    department: str          # the department that must answer
    chat_id: int | None      # where the card goes (None: no group bound anywhere yet)
    note: str = ""           # why the ticket did not go straight to its department


async def group_of(ctx: Context, uow: UnitOfWork, department: str) -> int | None:
    """A binding made with /bind wins over a chat_id from config.toml."""
    binding = await uow.bindings.for_department(department)
    if binding:
        return binding.chat_id
    return ctx.departments.get(department)


async def route(ctx: Context, uow: UnitOfWork, c: Classified) -> Route:
    if c.triaged or c.department not in ctx.departments:
        return Route(TRIAGE, await group_of(ctx, uow, TRIAGE), note="low_confidence")
    chat = await group_of(ctx, uow, c.department)
    if chat is not None:
        return Route(c.department, chat)
    return Route(TRIAGE, await group_of(ctx, uow, TRIAGE), note="unbound:" + c.department)
