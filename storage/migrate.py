"""`zhiyong db upgrade`: Alembic driven from code, with the migrations shipped in the package."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from storage.db import make_engine
from storage.errors import DatabaseUnreachable, MigrationFailed, first_line

# What connecting can raise: refused or closed port, unknown host, wrong password, no such
# database (the driver's error wrapped by SQLAlchemy), or a connect that timed out.
CONNECT_ERRORS = (OSError, SQLAlchemyError, TimeoutError)

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run on every start (no-op when current)."""
    command.upgrade(alembic_config(url), revision)


@dataclass
class Upgraded:
    """What an upgrade did: the revisions applied in order ("0001 initial schema"), and where
    the schema is now."""

    applied: list[str] = field(default_factory=list)
    current: str = ""


async def upgrade_async(url: str, revision: str = "head") -> Upgraded:
    """Bring the schema to `revision` from inside a running event loop: Alembic works on a
    connection of ours (run_sync), with no second loop and no thread."""
    try:
        engine = make_engine(url)   # may create the SQLite file's directory
    except OSError as exc:
        raise DatabaseUnreachable(safe_url(url), first_line(exc)) from exc
    try:
        try:
            connection = await engine.connect()
        except CONNECT_ERRORS as exc:
            raise DatabaseUnreachable(safe_url(url), first_line(exc)) from exc
        try:
            return await connection.run_sync(_upgrade_on, url, revision)
        finally:
            await connection.close()
    finally:
        await engine.dispose()


def _upgrade_on(connection: Connection, url: str, revision: str) -> Upgraded:
    cfg = alembic_config(url)
    script = ScriptDirectory.from_config(cfg)
    before = ",".join(MigrationContext.configure(connection).get_current_heads())
    done, pending = Upgraded(), [revision]
    cfg.attributes["connection"] = connection
    cfg.attributes["on_version_apply"] = [
        lambda step, **_: done.applied.append(_label(script, step.up_revision_id))]
    try:
        pending = [r.revision for r in reversed(list(
            script.iterate_revisions(revision, before or "base")))]
        command.upgrade(cfg, revision)   # in the transaction the version read began
        connection.commit()
    except Exception as exc:
        connection.rollback()
        failed = pending[len(done.applied)] if len(done.applied) < len(pending) else revision
        raise MigrationFailed(_label(script, failed), first_line(exc), before) from exc
    done.current = ",".join(MigrationContext.configure(connection).get_current_heads())
    return done


def _label(script: ScriptDirectory, rev: str | None) -> str:
    found = script.get_revision(rev) if rev else None
    return f"{rev} {found.doc}".strip() if found and found.doc else str(rev)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
