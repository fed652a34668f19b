"""Logging for an operator: text or JSON lines, timestamps with their zone, secrets redacted.

Redaction happens in the formatter of the one root handler, on the finished line (message,
arguments and traceback alike), so the libraries' own records — python-telegram-bot's,
aiogram's, httpx's (which log Bot API URLs, and those contain the token) — are covered too.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime, tzinfo
from typing import Any, TextIO
from urllib.parse import quote

TOKEN_ENV = "ZHIYONG_TELEGRAM_TOKEN"
SECRET_ENVS = (TOKEN_ENV, "ZHIYONG_WEBHOOK_SECRET")
REDACTED = "[REDACTED]"
# Libraries that are chatty at INFO: heard from at DEBUG only.
QUIET_AT_INFO = ("httpx", "apscheduler", "alembic", "aiohttp.access")
# Never below WARNING: aiosqlite's DEBUG lines carry query parameters (complainants' names and
# phones); httpcore's are byte-level noise.
ALWAYS_QUIET = ("aiosqlite", "httpcore")
# Fields a record may carry in `extra=` that the JSON format writes as its own keys.
EXTRA_FIELDS = ("ticket", "event", "department")


def secrets_from_env(environ: dict[str, str] | None = None) -> list[str]:
    """The values never to be written: the bot token and the webhook secret."""
    env = os.environ if environ is None else environ
    return [v.strip() for name in SECRET_ENVS if (v := env.get(name, "")).strip()]


class Redactor:
    """Replaces each secret (and its URL-encoded form) in a finished line."""

    def __init__(self, secrets: list[str]) -> None:
        forms = {form for s in secrets if len(s) >= 4 for form in (s, quote(s, safe=""))}
        self.forms = sorted(forms, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        for form in self.forms:
            line = line.replace(form, REDACTED)
        return line


def timestamp(created: float, zone: tzinfo) -> str:
    """ISO 8601 with milliseconds and the offset, e.g. 2026-12-01T22:00:00.123+08:00."""
    return datetime.fromtimestamp(created, UTC).astimezone(zone).isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    def __init__(self, zone: tzinfo, redact: Redactor) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")
        self.zone, self.redact = zone, redact

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return timestamp(record.created, self.zone)

    def format(self, record: logging.LogRecord) -> str:
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the event fields, exc."""

    def __init__(self, zone: tzinfo, redact: Redactor) -> None:
        super().__init__()
        self.zone, self.redact = zone, redact

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": timestamp(record.created, self.zone),
                                "level": record.levelname, "logger": record.name,
                                "message": record.getMessage()}
        line.update({k: getattr(record, k) for k in EXTRA_FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(line, ensure_ascii=False, default=str))


def configure(level: str = "INFO", fmt: str = "text", zone: tzinfo = UTC,
              secrets: list[str] | None = None, stream: TextIO | None = None) -> None:
    """(Re)configure the root logger: one stderr handler, our formatter, library levels."""
    redact = Redactor(secrets_from_env() if secrets is None else secrets)
    formatter = JsonFormatter(zone, redact) if fmt == "json" else TextFormatter(zone, redact)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    debug = root.level <= logging.DEBUG
    for name in QUIET_AT_INFO:
        logging.getLogger(name).setLevel(logging.NOTSET if debug else logging.WARNING)
    for name in ALWAYS_QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.captureWarnings(True)
