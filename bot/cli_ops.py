"""Operator commands: `zhiyong init`, `--version`, `db upgrade`, `db backup`, and the one-line
error handling every command shares (OperatorGroup)."""

from __future__ import annotations

import asyncio
import sys
import traceback
from importlib import metadata
from pathlib import Path

import click

from bot import logs
from bot.operator_errors import explain

TEMPLATE = "config.toml"


class OperatorGroup(click.Group):
    """Any exception of a command becomes one line on stderr and its exit code; the redacted
    traceback is added only with -v."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit,
                click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            redact = logs.Redactor(logs.secrets_from_env())
            if ctx.params.get("verbose"):
                click.echo(redact(traceback.format_exc()), err=True)
            code, line = explain(exc)
            click.echo(redact(f"zhiyong: {line}"), err=True)
            ctx.exit(code)


def version_line() -> str:
    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    return (f"zhiyong {v('zhiyong')} (Python {sys.version.split()[0]}, "
            f"python-telegram-bot {v('python-telegram-bot')}, aiogram {v('aiogram')})")


def template_path() -> Path:
    """The repository's config.toml: beside the package in a checkout or an editable install,
    under <prefix>/share/zhiyong/ once installed from a wheel."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / TEMPLATE, Path(sys.prefix) / "share" / "zhiyong" / TEMPLATE):
        if candidate.is_file():
            return candidate
    raise click.ClickException("the config.toml template is missing from this installation; "
                               "reinstall zhiyong")


@click.command("init")
@click.argument("path", required=False, default=TEMPLATE,
                type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path, force: bool) -> None:
    """Write a commented config.toml (the same as the repository's) to PATH."""
    if path.is_dir():
        path = path / TEMPLATE
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; edit it, or add --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(template_path().read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"wrote {path}")
    click.echo("next: export ZHIYONG_TELEGRAM_TOKEN=… (from @BotFather), then "
               f"`zhiyong --config {path} run`")


@click.command("upgrade")
@click.pass_obj
def db_upgrade(obj: object) -> None:
    """Apply the Alembic migrations (also done on every start) and say which ran."""
    from storage.migrate import safe_url, upgrade_async

    url = obj.settings().storage.url  # type: ignore[attr-defined]
    done = asyncio.run(upgrade_async(url))
    where = f"database at {safe_url(url)}"
    if done.applied:
        click.echo(f"applied {len(done.applied)} migration(s): " + "; ".join(done.applied))
        click.echo(f"{where} is now at revision {done.current} (head)")
    else:
        click.echo(f"{where} is up to date at revision {done.current} (head); nothing to apply")


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the copy.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@click.pass_obj
def db_backup(obj: object, out: Path, force: bool) -> None:
    """A consistent copy of the live SQLite database; for PostgreSQL, the pg_dump command."""
    from storage.backup import BackupRefused, backup

    url = obj.settings().storage.url  # type: ignore[attr-defined]
    try:
        done = backup(url, out, force)
    except BackupRefused as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup of {done.source} written to {done.out} "
               f"({done.pages} pages, {done.size:,} bytes)")
