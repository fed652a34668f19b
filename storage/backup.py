"""`zhiyong db backup`: a consistent copy of a live SQLite database (the online backup API,
safe while the bot writes); for PostgreSQL, the pg_dump command that does the same."""

from __future__ import annotations

import os
import shlex
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from storage.db import is_sqlite


class BackupRefused(Exception):
    """No copy was made: the message says why (one line)."""


@dataclass
class BackupDone:
    source: str
    out: Path
    pages: int
    size: int


def sqlite_backup(url: str, out: Path, force: bool = False, pages_per_step: int = 1024) -> BackupDone:
    """Copy page by page with sqlite3's backup API into a temporary file, then rename it,
    so `out` is either the old file or a complete copy, never half of one."""
    source = make_url(url).database or ""
    if not source or source == ":memory:" or not Path(source).is_file():
        raise BackupRefused(f"no SQLite database at {source or url!r}: nothing to back up")
    if out.exists() and not force:
        raise BackupRefused(f"{out} exists; choose another --out or add --force")
    partial = out.with_name(f".{out.name}.partial")
    src = sqlite3.connect(f"file:{Path(source).resolve()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=pages_per_step)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, out)
    return BackupDone(source, out, pages, out.stat().st_size)


def pg_dump_command(url: str, out: Path) -> str:
    """The command for PostgreSQL (custom format, restorable with pg_restore); the password
    is left out of the line: give it with PGPASSWORD or ~/.pgpass."""
    u = make_url(url)
    plain = URL.create("postgresql", username=u.username, host=u.host, port=u.port,
                       database=u.database, query=u.query)
    return (f"pg_dump --format=custom --file={shlex.quote(str(out))} "
            f"--dbname={shlex.quote(plain.render_as_string(hide_password=False))}")


def backup(url: str, out: Path, force: bool = False) -> BackupDone:
    if not is_sqlite(url):
        raise BackupRefused("zhiyong does not dump PostgreSQL itself; no backup written. "
                            f"Run: {pg_dump_command(url, out)}")
    return sqlite_backup(url, out, force)
