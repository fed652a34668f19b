"""`zhiyong db upgrade`: Alembic driven from code, with the migrations shipped in the package."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to `revision`; safe to run on every start (no-op when current)."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    # env.py runs its own event loop, so it must not share ours.
    await asyncio.to_thread(upgrade, url)


def revision(url: str, message: str) -> None:
    command.revision(alembic_config(url), message=message, autogenerate=True)
