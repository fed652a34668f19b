"""Row <-> domain record, by field name (the tables mirror workflow.model)."""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from sqlmodel import SQLModel

D = TypeVar("D")
R = TypeVar("R", bound=SQLModel)


def to_domain(row: SQLModel, cls: type[D]) -> D:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


def to_row(obj: Any, table: type[R]) -> R:
    return table(**{f.name: getattr(obj, f.name) for f in fields(obj)})


def values_of(obj: Any, exclude: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in fields(obj) if f.name not in exclude}
