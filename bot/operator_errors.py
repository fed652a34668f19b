"""Failures an operator causes and fixes, and the one line (plus exit code) each one gets.

The CLI catches any exception of a command and prints `zhiyong: <cause> — <fix>`; the
traceback only with -v. Each named cause has its own exit code, so a service manager or a
script can tell them apart.
"""

from __future__ import annotations

from bot.config import ConfigError
from nlp.errors import ModelError
from storage.errors import DatabaseUnreachable, MigrationFailed

TOKEN_ENV = "ZHIYONG_TELEGRAM_TOKEN"

EXIT_OTHER, EXIT_CONFIG, EXIT_TOKEN, EXIT_TELEGRAM = 1, 2, 3, 4
EXIT_DATABASE, EXIT_MIGRATION, EXIT_MODEL = 5, 6, 7


class OperatorError(Exception):
    """A failure with its line already written; `code` is the exit code."""

    code = EXIT_OTHER


class TokenMissing(OperatorError):
    code = EXIT_TOKEN

    def __init__(self, empty: bool) -> None:
        what = "is empty" if empty else "is not set"
        super().__init__(f"{TOKEN_ENV} {what} — set it to the token @BotFather gave you "
                         "(123456:ABC…)")


class TokenMalformed(OperatorError):
    code = EXIT_TOKEN

    def __init__(self) -> None:
        super().__init__(f"{TOKEN_ENV} is malformed: a bot token is <digits>:<letters, digits, "
                         "_ or ->, as @BotFather gives it; check for quotes or spaces")


class TokenRejected(OperatorError):
    code = EXIT_TOKEN

    def __init__(self, status: int, api_url: str) -> None:
        super().__init__(f"Telegram at {api_url} refused the bot token (HTTP {status}) — "
                         f"check {TOKEN_ENV}; /token in @BotFather shows the current one")


class TelegramUnreachable(OperatorError):
    code = EXIT_TELEGRAM

    def __init__(self, api_url: str, reason: str, waited: float) -> None:
        super().__init__(f"Telegram Bot API at {api_url} unreachable ({reason}; retried "
                         f"for {waited:.0f} s) — check the network, a proxy or firewall, or "
                         "[telegram] api_url / ZHIYONG_TELEGRAM__API_URL")


class ListenFailed(OperatorError):
    code = EXIT_OTHER

    def __init__(self, listen: str, reason: str) -> None:
        super().__init__(f"cannot listen on {listen} for /healthz and /metrics ({reason}) — "
                         "set [monitoring] listen / ZHIYONG_MONITORING__LISTEN to a free "
                         "address, or [monitoring] enabled = false")


FIX_DATABASE = ("— is the server running and the URL right? check [storage] url / "
                "ZHIYONG_STORAGE__URL")
FIX_MIGRATION = "— fix the cause, then run `zhiyong db upgrade` (see -v for the traceback)"


def explain(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line for `exc`."""
    if isinstance(exc, OperatorError):
        return exc.code, str(exc)
    if isinstance(exc, ConfigError):
        return EXIT_CONFIG, str(exc)
    if isinstance(exc, DatabaseUnreachable):
        return EXIT_DATABASE, f"{exc} {FIX_DATABASE}"
    if isinstance(exc, MigrationFailed):
        return EXIT_MIGRATION, f"{exc} {FIX_MIGRATION}"
    if isinstance(exc, ModelError):
        return EXIT_MODEL, f"{exc} — run `zhiyong nlp train --default` or fix [nlp] model_dir"
    if isinstance(exc, PermissionError):
        return EXIT_OTHER, f"permission denied: {exc.filename or exc} — run as a user who may " \
                           "write there, or choose another path"
    if isinstance(exc, OSError) and exc.filename:
        return EXIT_OTHER, f"{exc.strerror or exc}: {exc.filename}"
    name = type(exc).__name__
    return EXIT_OTHER, f"unexpected {name}: {' '.join(str(exc).split())[:300]} — run with -v " \
                       "for the traceback"
