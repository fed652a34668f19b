"""The domain stays framework-free: workflow/ and nlp/ import no Telegram and no SQL library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {"telegram", "aiogram", "sqlmodel", "sqlalchemy", "aiosqlite", "asyncpg", "alembic",
             "bot", "storage"}
TEMPLATE_FREE = ("workflow", "nlp")


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", TEMPLATE_FREE)
def test_domain_imports_no_framework(package: str) -> None:
    offenders = {
        str(p.relative_to(REPO)): sorted(imported_roots(p) & FORBIDDEN)
        for p in (REPO / package).rglob("*.py")
    }
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"forbidden imports in the domain: {offenders}"


def test_the_checker_catches_a_forbidden_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from telegram import Bot\nimport sqlalchemy.orm\n", encoding="utf-8")
    assert imported_roots(bad) & FORBIDDEN == {"telegram", "sqlalchemy"}


def test_handlers_keep_chinese_text_in_templates() -> None:
    """User-facing sentences live in bot/templates.py only."""
    allowed = {"templates.py", "demo.py", "bench_intake.py"}   # the last two play the citizens
    offenders = []
    for p in (REPO / "bot").rglob("*.py"):
        if p.name in allowed or "emulator" in p.parts:
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                    "\u4e00" <= ch <= "\u9fff" for ch in node.value):
                offenders.append(f"{p.relative_to(REPO)}:{node.lineno}")
    assert not offenders, f"Chinese text outside bot/templates.py: {offenders}"
