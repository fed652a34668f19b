"""Keep the department table in step with config.toml (the catalogue a city edits)."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col

from storage.tables import DepartmentRow
from storage.uow import Database


async def sync_departments(db: Database, names: Mapping[str, str]) -> None:
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    async with db.engine.begin() as conn:
        for dept_id, name in names.items():
            stmt = insert(DepartmentRow).values(id=dept_id, name=name, active=True)
            await conn.execute(stmt.on_conflict_do_update(
                index_elements=["id"], set_={"name": name, "active": True}))
        await conn.execute(update(DepartmentRow).where(col(DepartmentRow.id).not_in(list(names)))
                           .values(active=False))
