"""Failures of the database an operator can cause and fix: each names the cause."""

from __future__ import annotations


class StorageError(Exception):
    """Base of the failures below; the message is one line for the operator."""


class DatabaseUnreachable(StorageError):
    """The database cannot be reached or refuses us (closed port, wrong password, no such db)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"database {url} unreachable: {reason}")
        self.url, self.reason = url, reason


class MigrationFailed(StorageError):
    """A migration raised; the schema transaction was rolled back to where it was."""

    def __init__(self, revision: str, reason: str, current: str) -> None:
        super().__init__(f"migration {revision} failed: {reason} (the database stays at "
                         f"revision {current or 'none'})")
        self.revision, self.reason, self.current = revision, reason, current


def first_line(exc: BaseException, limit: int = 300) -> str:
    """The innermost cause's message on one line: what the operator needs, no traceback."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    orig = getattr(exc, "orig", None)
    text = str(orig if isinstance(orig, BaseException) else exc).strip() or type(exc).__name__
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
