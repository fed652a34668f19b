"""Every text key the code can show exists in bot/templates.py (an unknown key is a bug)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.render import Renderer
from bot.templates import TEXTS
from workflow import errors
from workflow.desk import cards, registry
from workflow.errors import UserError

REPO = Path(__file__).resolve().parent.parent
KEY_CALLS = {"say", "answer", "Outgoing", "Button", "text", "plain"}
PREFIXES = ("btn.", "file.", "desk.", "card.", "rating.", "relay.", "deadline.", "digest.",
            "error.", "group.", "staff.", "start.", "help.", "mine.", "ack.", "office.")


def _literal_keys(path: Path) -> set[str]:
    """String literals that look like template keys, passed where a key goes."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in KEY_CALLS:
                found |= {a.value for a in [*node.args, *(k.value for k in node.keywords)]
                          if isinstance(a, ast.Constant) and isinstance(a.value, str)
                          and a.value.startswith(PREFIXES) and " " not in a.value}
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str) and node.value.value.startswith(PREFIXES) \
                and any(getattr(t, "id", getattr(t, "attr", "")) == "key" for t in node.targets):
            found.add(node.value.value)
    return found


def _code_files() -> list[Path]:
    return [p for d in ("workflow", "bot") for p in (REPO / d).rglob("*.py")
            if "emulator" not in p.parts]


def test_every_literal_key_exists() -> None:
    missing = {(str(p.relative_to(REPO)), k) for p in _code_files() for k in _literal_keys(p)
               if k not in TEXTS}
    assert not missing


def test_every_user_error_has_its_text() -> None:
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, UserError) and c is not UserError]
    assert classes and [c.__name__ for c in classes if c.key not in TEXTS] == []


def test_every_desk_action_has_its_texts() -> None:
    for name, action in registry.ACTIONS.items():
        assert f"btn.desk.{name}" in TEXTS
        assert (action.toast in TEXTS) if not action.dialog else (f"desk.done.{name}" in TEXTS)
        for step in action.dialog:
            key = {"reason_choice": "desk.ask_reason", "department": "desk.ask_department",
                   "answer": "desk.ask_answer"}.get(step, f"desk.ask_{step}")
            assert key in TEXTS, key
    for reason in registry.RETURN_REASONS:
        assert f"btn.desk.reason.{reason}" in TEXTS
    for table in (cards._DEPARTMENT_ACTIONS, cards._OFFICE_ACTIONS):
        assert {a for rows in table.values() for row in rows for a in row} <= set(registry.ACTIONS)


def test_every_sweep_notice_has_its_text() -> None:
    from workflow.deadlines import schedule
    kinds = (*schedule.SIGN_KINDS, *schedule.LADDER_KINDS)
    for kind in kinds:
        options = {f"deadline.{kind}", f"deadline.{kind}_dept", f"deadline.{kind}_office"}
        assert options & set(TEXTS), kind
    assert {"rating.ask", "rating.remind"} <= set(TEXTS)


def test_unknown_key_is_logged_not_silent(caplog: pytest.LogCaptureFixture) -> None:
    renderer = Renderer({}, {}, ZoneInfo("Asia/Shanghai"))
    with caplog.at_level(logging.ERROR, logger="zhiyong.render"):
        text = renderer.text("no.such.key", {})
    assert text == TEXTS["error.generic"]
    assert "no.such.key" in caplog.text


def test_every_danger_reason_and_number_has_its_words() -> None:
    from bot.templates import DANGER_WHAT, DANGER_WHO
    from nlp import DANGER_CALLS

    assert set(DANGER_WHAT) == set(DANGER_CALLS)
    assert set(DANGER_WHO) == set(DANGER_CALLS.values())
