"""The `zhiyong` command line."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import Any

import click

from bot import logs
from bot.cli_nlp import classify, nlp
from bot.cli_office import bench_report, corrections, report
from bot.cli_ops import OperatorGroup, db_backup, db_upgrade, init, version_line
from bot.cli_staff import staff
from bot.config import Settings, load_settings
from nlp.errors import ModelError


class CliContext:
    """Loads config.toml lazily, so `zhiyong --help` works even with a broken file."""

    def __init__(self, path: str, verbose: bool = False) -> None:
        self.path, self.verbose = path, verbose
        self._settings: Settings | None = None

    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.path)   # ConfigError: one line, exit 2
            cfg = self._settings.logging   # now the configured format, level and zone
            logs.configure("DEBUG" if self.verbose else cfg.level, cfg.format,
                           self._settings.zone)
        return self._settings


@click.group(cls=OperatorGroup)
@click.option("--config", "config_path", default="config.toml", show_default=True,
              type=click.Path(dir_okay=False), help="Path of config.toml.")
@click.option("-v", "--verbose", is_flag=True,
              help="Log debug output; tracebacks with errors.")
@click.version_option(version_line(), "--version", message="%(version)s")
@click.pass_context
def main(ctx: click.Context, config_path: str, verbose: bool) -> None:
    """zhiyong (zhi yong): citizens report officials who can't, won't or dare not do their job."""
    logs.configure("DEBUG" if verbose else "INFO")   # until config.toml says otherwise
    ctx.obj = CliContext(config_path, verbose)


@main.command()
@click.option("--webhook", is_flag=True,
              help="Webhook mode ([telegram] mode = \"webhook\"); secret from ZHIYONG_WEBHOOK_SECRET.")
@click.option("--listen", default=None, help="HOST:PORT to listen on ([telegram] listen).")
@click.option("--url", default=None, help="Public https:// URL for Telegram ([telegram] url).")
@click.option("--path", default=None, help="Path to serve ([telegram] path; default: URL's).")
@click.pass_obj
def run(obj: CliContext, webhook: bool, listen: str | None, url: str | None,
        path: str | None) -> None:
    """Run the bot: long polling, or --webhook (token from ZHIYONG_TELEGRAM_TOKEN)."""
    from bot.preflight import check_token

    settings = _with_webhook(obj.settings(), webhook, listen, url, path)
    token = settings.telegram_token
    checked = check_token(None if token is None else token.get_secret_value())
    if settings.telegram.mode == "webhook":
        from bot.webhook import webhook_secret

        webhook_secret()          # a ConfigError is the operator's one line
    asyncio.run(_run(settings, checked))


def _with_webhook(settings: Settings, webhook: bool, listen: str | None, url: str | None,
                  path: str | None) -> Settings:
    """The command-line webhook options over [telegram]; validated like the file."""
    given = {k: v for k, v in (("listen", listen), ("url", url), ("path", path)) if v}
    if webhook:
        given["mode"] = "webhook"
    if not given:
        return settings
    from pydantic import ValidationError

    from bot.config import TelegramConfig

    try:
        telegram = TelegramConfig(**{**settings.telegram.model_dump(), **given})
    except ValidationError as exc:
        raise click.ClickException(f"invalid webhook options: {exc.errors()[0]['msg']}") from exc
    return settings.model_copy(update={"telegram": telegram})


async def _run(settings: Settings, token: str) -> None:
    from bot.app import build_app
    from bot.monitoring.server import listener
    from bot.preflight import wait_for_telegram

    if settings.telegram.framework == "aiogram":
        from bot.aio.runner import AiogramBot as Runner
    else:
        from bot.ptb.runner import PtbBot as Runner
    app = build_app(settings)
    try:
        await app.prepare()
        await wait_for_telegram(settings.telegram.api_url, token,
                                settings.telegram.start_retry_seconds)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with listener(app), Runner(app, token):
            # Everything loaded so far (libraries, the model, the catalogue) lives as long as the
            # process: out of the collector's sight, a full collection costs ~0.25 s less.
            gc.freeze()
            logging.getLogger("zhiyong").info("bot (%s) running against %s (%s)",
                                              settings.telegram.framework,
                                              settings.telegram.api_url, settings.telegram.mode)
            await stop.wait()
    finally:
        await app.close()


@main.command()
@click.option("--keep-db", type=click.Path(dir_okay=False), default=None,
              help="Write the demo database here instead of a temporary file.")
@click.pass_obj
def demo(obj: CliContext, keep_db: str | None) -> None:
    """Offline demo: emulated Telegram, the real bot, a scripted citizen; prints the transcript."""
    from bot.demo import run_demo

    settings = obj.settings()
    logging.getLogger().setLevel(logging.WARNING)  # the transcript is the output
    try:
        asyncio.run(run_demo(settings, keep_db))
    except ModelError as exc:
        raise click.ClickException(str(exc)) from exc


@main.group()
def db() -> None:
    """Database schema."""


db.add_command(db_upgrade)
db.add_command(db_backup)


@main.group()
def group() -> None:
    """Department group chats."""


@group.command("invite")
@click.option("--department", required=True, help="Department id from config.toml, e.g. housing.")
@click.pass_obj
def group_invite(obj: CliContext, department: str) -> None:
    """Print a one-time, expiring code; send `/bind CODE` in the department's group."""
    invite = asyncio.run(_invite(obj.settings(), department))
    click.echo(f"/bind {invite['code']}")
    click.echo(f"department: {department} ({invite['name']}); valid until {invite['until']}; "
               "send the line above in the department's Telegram group (the bot must be a member).")


async def _invite(settings: Settings, department: str) -> dict[str, Any]:
    from bot.app import build_app
    from workflow.desk.binding import create_group_invite
    from workflow.errors import UnknownDepartment

    app = build_app(settings)
    try:
        await app.prepare(classifier=False)
        invite = await create_group_invite(app.ctx, department)
    except UnknownDepartment as exc:
        raise click.ClickException(
            f"unknown department {department!r}; known: {', '.join(settings.departments)}") from exc
    finally:
        await app.close()
    until = invite.expires_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M %Z")
    return {"code": invite.code, "name": settings.department_name(department), "until": until}


@main.group()
def bench() -> None:
    """Benchmarks."""


@bench.command("sweep")
@click.option("--rows", default=1_000_000, show_default=True, help="Tickets in the table.")
@click.option("--open", "open_", default=100_000, show_default=True,
              help="Tickets in handling (each with pending deadline actions).")
@click.option("--due", default="0,100,10000", show_default=True,
              help="Comma-separated numbers of due actions; one timed sweep each.")
@click.option("--db", default=None,
              help="postgresql://… (a temporary database is created there and dropped); "
                   "default: a temporary SQLite file.")
@click.pass_obj
def bench_sweep(obj: CliContext, rows: int, open_: int, due: str, db: str | None) -> None:
    """Time one deadline sweep per number of due actions; JSON lines, then the query plan."""
    from bot.bench_sweep import bench_sweep as run_bench_sweep

    run_bench_sweep(obj.settings(), rows, open_, due, db)


@bench.command("slots")
@click.option("--rows", default=200_000, show_default=True, help="Sent messages in the outbox.")
@click.option("--slots", default=200, show_default=True, help="Slots timed per audience.")
@click.option("--db", default=None,
              help="postgresql://… (a temporary database is created there and dropped); "
                   "default: a temporary SQLite file.")
@click.pass_obj
def bench_slots(obj: CliContext, rows: int, slots: int, db: str | None) -> None:
    """Time taking a send slot (Telegram's limits across processes); JSON lines, query plans."""
    from bot.bench_slots import bench_slots as run_bench_slots

    run_bench_slots(obj.settings(), rows, slots, db)


@bench.command("intake")
@click.option("--framework", type=click.Choice(["ptb", "aiogram"]), default="ptb",
              show_default=True)
@click.option("--db", default=None,
              help="postgresql://… (a temporary database is created there and dropped); "
                   "default: a temporary SQLite file.")
@click.option("--users", default=200, show_default=True, help="Citizens filing at once.")
@click.option("--rate-limits/--no-rate-limits", default=False, show_default=True,
              help="Keep Telegram's limits (30 messages/s per bot …) in the bot under test; "
                   "off by default, like the echo bot, so the ratio measures our code.")
@click.option("--source", default=None, hidden=True,
              help="Run the bot from another checkout (before/after comparisons).")
def bench_intake(framework: str, db: str | None, users: int, rate_limits: bool,
                 source: str | None) -> None:
    """The real bot and a bare echo bot under N citizens filing at once; JSON lines."""
    from bot.bench_intake import bench_intake as run_bench_intake

    run_bench_intake(framework, db, users, source, rate_limits)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


main.add_command(init)
main.add_command(classify)
main.add_command(staff)   # the staff desk
main.add_command(nlp)
main.add_command(report)                  # the office's ledger
nlp.add_command(corrections)              # triage corrections for training
bench.add_command(bench_report)   # the ledger on 100,000 tickets
