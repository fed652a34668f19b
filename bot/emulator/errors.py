"""The one exception bot methods raise: it becomes Telegram's `{"ok": false, ...}` reply."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure with Telegram's HTTP code, description and optional parameters."""

    def __init__(self, code: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


def bad_request(what: str) -> ApiError:
    """400 with the usual `Bad Request: ` prefix."""
    return ApiError(400, f"Bad Request: {what}")


def forbidden(what: str) -> ApiError:
    """403 with the usual `Forbidden: ` prefix."""
    return ApiError(403, f"Forbidden: {what}")
