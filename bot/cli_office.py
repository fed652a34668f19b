"""`zhiyong report`, `zhiyong nlp corrections export`, `zhiyong bench report`: the office's
command line. bot/cli.py attaches each with one line."""

from __future__ import annotations

import asyncio
import csv
import getpass
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.cli_staff import _settings
from bot.config import Settings

T = TypeVar("T")
log = logging.getLogger("zhiyong.report")
CLI_ERRORS = {   # operators read English on the command line; users get bot/templates.py
    "error.bad_period": "bad period {text!r}: use week, month, quarter, YYYY-MM or YYYYQn",
}
CORRECTION_COLUMNS = ["ticket", "text", "field", "old", "new", "by", "at"]
FORMATS = ("xlsx", "csv")     # bot.reports.ledger_file (imported when used: openpyxl is slow)


def _with_ctx(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(ctx)` on the configured database (migrated first); UserErrors → one line."""
    async def go() -> T:
        from bot.app import build_app
        from storage.catalogue import sync_departments
        from storage.migrate import upgrade_async
        from workflow.errors import UserError

        app = build_app(settings)
        try:
            await upgrade_async(settings.storage.url)
            await sync_departments(app.db, {k: d.name for k, d in settings.departments.items()})
            return await work(app.ctx)
        except UserError as exc:
            template = CLI_ERRORS.get(exc.key, exc.key + ": {params}")
            raise click.ClickException(template.format(params=exc.params, **exc.params)) from exc
        finally:
            await app.close()

    return asyncio.run(go())


def viewer() -> str:
    """Who ran an export, for the identity audit."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


async def write_report(ctx: Any, settings: Settings, period_text: str, out: Path, fmt: str,
                       with_identity: bool) -> tuple[str, int]:
    """Build the ledger and write it; the audit rows commit only once the file is in place."""
    from bot.reports.ledger_file import LedgerWriter
    from workflow.office import ledger, periods

    period = periods.parse(period_text, ctx.now(), ctx.tz)
    async with ctx.uow() as uow:
        book = await ledger.build(ctx, uow, period, with_identity, viewer())
        writer = LedgerWriter({k: d.name for k, d in settings.departments.items()}, ctx.tz)
        rows = writer.write(book, out, fmt)
        await uow.commit()
    if with_identity:
        log.warning("report %s written WITH complainants' identity by %s", out, viewer())
    return period.label, rows


@click.command("report")
@click.option("--period", "period_text", default="month", show_default=True,
              help="week | month | quarter | YYYY-MM | YYYYQn")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Default: from the file name's extension, else xlsx.")
@click.option("--with-identity", is_flag=True,
              help="Add the complainant's name and phone for real-name tickets (audited).")
@click.pass_obj
def report(obj: Any, period_text: str, out: str, fmt: str | None, with_identity: bool) -> None:
    """The ledger of a period: tickets, department KPIs, flagged officials (XLSX or CSV)."""
    from bot.reports.ledger_file import ReportPathError

    settings = _settings(obj)
    path = Path(out)
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "xlsx")
    started = time.perf_counter()
    try:
        label, rows = _with_ctx(settings, lambda ctx: write_report(
            ctx, settings, period_text, path, chosen, with_identity))
    except ReportPathError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {rows} tickets of {label} to {path} ({chosen}"
               f"{', with identity' if with_identity else ''}) in "
               f"{time.perf_counter() - started:.1f}s")


@click.group("corrections")
def corrections() -> None:
    """The office's triage corrections (training data for the classifier)."""


@corrections.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.pass_obj
def corrections_export(obj: Any, out: str) -> None:
    """CSV with columns ticket, text, field (category|department), old, new, by, at."""
    from bot.reports.ledger_file import ReportPathError, atomic_write
    from workflow.office.corrections import export

    async def fetch(ctx: Any) -> list[Any]:
        async with ctx.uow() as uow:
            return await export(ctx, uow)

    rows = _with_ctx(_settings(obj), fetch)
    path = Path(out)

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(CORRECTION_COLUMNS)
            for number, c in rows:
                w.writerow([number, c.text, c.field, c.old, c.new, c.by, c.at.isoformat()])

    try:
        atomic_write(path, write)
    except ReportPathError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {len(rows)} corrections to {path}")


def stored_labels(obj: Any) -> list[Any]:
    """The stored corrections as training labels (`nlp train --default --with-corrections`)."""
    from nlp.corrections import Label
    from workflow.office.corrections import export

    async def fetch(ctx: Any) -> list[Any]:
        async with ctx.uow() as uow:
            return [Label(c.text, c.field, c.new) for _n, c in await export(ctx, uow)]

    return _with_ctx(_settings(obj), fetch)


@click.command("report")
@click.option("--tickets", default=100_000, show_default=True)
@click.option("--period", "period_text", default="2026Q4", show_default=True)
@click.option("--db", default=None,
              help="postgresql://… (a temporary database is created there and dropped); "
                   "default: a temporary SQLite file.")
@click.pass_obj
def bench_report(obj: Any, tickets: int, period_text: str, db: str | None) -> None:
    """Fill a database with N tickets and time `zhiyong report` (XLSX) on it; JSON out."""
    from bot.bench_report import run

    click.echo(json.dumps(asyncio.run(run(_settings(obj), tickets, period_text, db))))
