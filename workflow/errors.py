"""One exception per failure a user can cause; the adapter turns each into a templated reply.

Each carries the template key of its message and the parameters that message needs.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    key = "error.generic"

    def __init__(self, **params: Any) -> None:
        super().__init__(self.key, params)
        self.params = params


class StaleButton(UserError):
    key = "error.stale_button"


class InvalidInviteCode(UserError):
    key = "error.invite_invalid"


class ExpiredInviteCode(UserError):
    key = "error.invite_expired"


class UsedInviteCode(UserError):
    key = "error.invite_used"


class NotAGroup(UserError):
    key = "error.bind_not_group"


class UnknownDepartment(UserError):
    key = "error.unknown_department"


class TicketNotFound(UserError):
    key = "error.ticket_not_found"
