"""Operator commands and errors, run as an operator would (subprocess, real files): each
failure is one line naming the cause and the fix, with its own non-zero exit code."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TOKEN = "999003:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


def zhiyong(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ZHIYONG_")}
    environ["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, text=True,
                          capture_output=True, timeout=120, env={**environ, **env})


def test_version(tmp_path: Path) -> None:
    out = zhiyong("--version", cwd=tmp_path)
    assert out.returncode == 0 and out.stdout.startswith("zhiyong 0.") and "aiogram" in out.stdout


def test_init_writes_the_repositorys_config_once(tmp_path: Path) -> None:
    out = zhiyong("init", "etc/zhiyong.toml", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    written = tmp_path / "etc" / "zhiyong.toml"
    assert written.read_text(encoding="utf-8") == (REPO / "config.toml").read_text(encoding="utf-8")
    again = zhiyong("init", "etc/zhiyong.toml", cwd=tmp_path)
    assert again.returncode != 0 and "--force" in again.stderr
    default = zhiyong("init", cwd=tmp_path)
    assert default.returncode == 0 and (tmp_path / "config.toml").is_file()


def test_backup_of_a_live_sqlite_database_is_consistent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    assert zhiyong("db", "upgrade", cwd=tmp_path, ZHIYONG_STORAGE__URL=url).returncode == 0
    writer = sqlite3.connect(tmp_path / "live.db", isolation_level=None)
    writer.execute("INSERT INTO department (id, name, active) VALUES ('d1', '一', 1)")
    writer.execute("BEGIN IMMEDIATE")   # a writer in the middle of a transaction
    writer.execute("INSERT INTO department (id, name, active) VALUES ('d2', '二', 1)")
    try:
        out = zhiyong("db", "backup", "--out", "copy.db", cwd=tmp_path, ZHIYONG_STORAGE__URL=url)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert out.returncode == 0 and "written to copy.db" in out.stdout, out.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert [r[0] for r in copy.execute("SELECT id FROM department")] == ["d1"]
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0006",)
    copy.close()
    twice = zhiyong("db", "backup", "--out", "copy.db", cwd=tmp_path, ZHIYONG_STORAGE__URL=url)
    assert twice.returncode != 0 and "exists" in twice.stderr


def test_backup_on_postgresql_gives_the_pg_dump_command(tmp_path: Path) -> None:
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    out = zhiyong("db", "backup", "--out", "z.dump", cwd=tmp_path,
                  ZHIYONG_STORAGE__URL="postgresql://zy:hunter2@db.local:5432/zhiyong")
    assert out.returncode != 0 and "no backup written" in out.stderr
    assert ("pg_dump --format=custom --file=z.dump "
            "--dbname=postgresql://zy@db.local:5432/zhiyong") in out.stderr
    assert "hunter2" not in out.stderr + out.stdout


def _conflicting_sqlite(tmp_path: Path) -> str:
    """A database whose first migration cannot run: its table already exists."""
    path = tmp_path / "taken.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE department (id TEXT)")
    return f"sqlite:///{path}"


ERRORS = [
    # (name, command, environment, exit code, what the one line must say)
    ("empty token", ["run"], {"ZHIYONG_TELEGRAM_TOKEN": ""}, 3,
     "ZHIYONG_TELEGRAM_TOKEN is empty"),
    ("malformed token", ["run"], {"ZHIYONG_TELEGRAM_TOKEN": "'123456:ABC def'"}, 3,
     "ZHIYONG_TELEGRAM_TOKEN is malformed"),
    ("telegram unreachable", ["run"], {"ZHIYONG_TELEGRAM_TOKEN": TOKEN,
                                       "ZHIYONG_TELEGRAM__API_URL": "http://127.0.0.1:9",
                                       "ZHIYONG_TELEGRAM__START_RETRY_SECONDS": "2"}, 4,
     "Telegram Bot API at http://127.0.0.1:9 unreachable"),
    ("postgresql on a closed port", ["db", "upgrade"],
     {"ZHIYONG_STORAGE__URL": "postgresql://postgres@127.0.0.1:9/zhiyong"}, 5,
     "database postgresql://postgres@127.0.0.1:9/zhiyong unreachable"),
    ("run with the database down", ["run"],
     {"ZHIYONG_TELEGRAM_TOKEN": TOKEN,
      "ZHIYONG_STORAGE__URL": "postgresql://postgres:pw@127.0.0.1:9/zhiyong"}, 5,
     "database postgresql://postgres:***@127.0.0.1:9/zhiyong unreachable"),
    ("migration failing", ["db", "upgrade"], {"ZHIYONG_STORAGE__URL": "CONFLICT"}, 6,
     "migration 0001 initial schema failed: table department already exists"),
    ("environment variable", ["db", "upgrade"], {"ZHIYONG_SCHEDULER__SWEEP_SECONDS": "often"},
     2, "ZHIYONG_SCHEDULER__SWEEP_SECONDS: Input should be a valid integer"),
]


@pytest.mark.parametrize("name,command,env,code,line", ERRORS, ids=[e[0] for e in ERRORS])
def test_each_operator_error_is_one_line(tmp_path: Path, name: str, command: list[str],
                                         env: dict[str, str], code: int, line: str) -> None:
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    if env.get("ZHIYONG_STORAGE__URL") == "CONFLICT":
        env = {**env, "ZHIYONG_STORAGE__URL": _conflicting_sqlite(tmp_path)}
    env.setdefault("ZHIYONG_STORAGE__URL", f"sqlite:///{tmp_path / 'z.db'}")
    out = zhiyong(*command, cwd=tmp_path, **env)
    errors = [x for x in out.stderr.splitlines() if " WARNING " not in x and " INFO " not in x]
    assert out.returncode == code, out.stderr
    assert len(errors) == 1 and line in errors[0], out.stderr
    assert "Traceback" not in out.stderr and "config.toml" not in errors[0]


def test_verbose_adds_the_traceback(tmp_path: Path) -> None:
    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    out = zhiyong("-v", "db", "upgrade", cwd=tmp_path,
                  ZHIYONG_STORAGE__URL="postgresql://postgres@127.0.0.1:9/zhiyong")
    assert out.returncode == 5 and "Traceback" in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("zhiyong: database ")
