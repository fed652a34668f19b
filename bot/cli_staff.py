"""`zhiyong staff invite / list / revoke`: who may work the desk."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click

from bot.config import ConfigError, Settings, load_settings
from workflow.model import Role

T = TypeVar("T")
ROLES = [r.value for r in Role]
CLI_ERRORS = {   # operators read English on the command line; users get bot/templates.py
    "error.unknown_department": "unknown department {department!r}; known: {known}",
    "error.unknown_role": "unknown role {role!r}; known: {known}",
    "error.staff_not_found": "no staff member with Telegram id {telegram_id}",
}


def _settings(obj: Any) -> Settings:
    """The main group's CliContext when there is one (tests may call the group alone)."""
    if obj is not None and hasattr(obj, "settings"):
        return obj.settings()  # type: ignore[no-any-return]
    try:
        return load_settings("config.toml")
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _with_app(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    async def go() -> T:
        from bot.app import build_app
        from storage.catalogue import sync_departments
        from storage.migrate import upgrade_async
        from workflow.errors import UserError

        app = build_app(settings)
        try:   # schema and catalogue only: managing staff needs no classifier model
            await upgrade_async(settings.storage.url)
            await sync_departments(app.db, {k: d.name for k, d in settings.departments.items()})
            return await work(app.ctx)
        except UserError as exc:
            template = CLI_ERRORS.get(exc.key, exc.key + ": {params}")
            raise click.ClickException(template.format(params=exc.params, **exc.params)) from exc
        finally:
            await app.close()

    return asyncio.run(go())


@click.group()
def staff() -> None:
    """Department staff, heads and the oversight office."""


@staff.command("invite")
@click.option("--department", default=None, help="Department id (not needed for supervisor/admin).")
@click.option("--role", type=click.Choice(ROLES), default="staff", show_default=True)
@click.pass_obj
def staff_invite(obj: Any, department: str | None, role: str) -> None:
    """Print a one-time, expiring code; the person sends `/join CODE` to the bot privately."""
    from workflow.desk.staff import OFFICE_ROLES, create_staff_invite

    settings = _settings(obj)
    if department is None and role not in OFFICE_ROLES:
        raise click.UsageError("--department is required for --role staff/head/duty")
    invite = _with_app(settings, lambda ctx: create_staff_invite(ctx, department, role))
    until = invite.expires_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
    click.echo(f"/join {invite.code}")
    click.echo(f"role: {role}; department: {invite.department} "
               f"({settings.department_name(invite.department)}); valid until {until}, once. "
               "The person sends the line above to the bot in a private chat.")


@staff.command("list")
@click.option("--department", default=None, help="Only this department.")
@click.option("--all", "show_all", is_flag=True, help="Include revoked people.")
@click.pass_obj
def staff_list(obj: Any, department: str | None, show_all: bool) -> None:
    """Registered people: Telegram id, name, department, role, since."""
    from workflow.desk.staff import list_staff

    settings = _settings(obj)
    people = _with_app(settings, lambda ctx: list_staff(ctx, department))
    shown = [p for p in people if p.active or show_all]
    if not shown:
        click.echo("no staff registered")
        return
    for p in shown:
        since = p.joined_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M")
        state = "active" if p.active else "revoked"
        click.echo(f"{p.telegram_id}\t{p.display_name}\t{p.department}\t{p.role}\t{since}\t{state}")


@staff.command("revoke")
@click.argument("telegram_id", type=int)
@click.pass_obj
def staff_revoke(obj: Any, telegram_id: int) -> None:
    """Take away every desk right of this person at once (their history stays)."""
    from workflow.desk.staff import revoke

    member = _with_app(_settings(obj), lambda ctx: revoke(ctx, telegram_id))
    click.echo(f"revoked {member.telegram_id} {member.display_name} ({member.department}, "
               f"{member.role})")
