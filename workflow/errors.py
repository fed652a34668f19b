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


# ---- the staff desk -------------------------------------------------------------

class UnknownRole(UserError):
    key = "error.unknown_role"


class StaffNotFound(UserError):
    key = "error.staff_not_found"


class JoinInGroup(UserError):
    key = "error.join_private_only"


class NotStaff(UserError):
    """Not registered, or revoked: nothing at the desk is allowed."""

    key = "error.not_staff"


class WrongDepartment(UserError):
    key = "error.wrong_department"


class NotSupervisor(UserError):
    key = "error.not_supervisor"


class TicketMoved(UserError):
    """The ticket's state or department no longer allows the action (stale card, race)."""

    key = "error.ticket_moved"


class AlreadySigned(UserError):
    key = "error.already_signed"


class ReturnAfterRuling(UserError):
    key = "error.return_after_ruling"


class TransferDisabled(UserError):
    key = "error.transfer_disabled"


class EmptyInput(UserError):
    key = "error.empty_input"


class InputTooLong(UserError):
    key = "error.input_too_long"


class BadDate(UserError):
    key = "error.bad_date"


class DateNotLater(UserError):
    key = "error.date_not_later"


class ExtensionDecided(UserError):
    """The request was already approved or refused (by whom and when is said)."""

    key = "error.extension_decided"


class ExtensionPending(UserError):
    """One request per ticket waits for the office at a time."""

    key = "error.extension_pending"


class ExtensionLimit(UserError):
    key = "error.extension_limit"


class ExtensionTooLate(UserError):
    """Extensions are asked for before the answer deadline, not to excuse a missed one."""

    key = "error.extension_too_late"


class RerouteToReturner(UserError):
    """改派 back to the department that returned it: that is the ruling 责令原部门办理."""

    key = "error.reroute_to_returner"


class BlockHere(UserError):
    """/block and /unblock are for the office group or a supervisor's private chat."""

    key = "error.block_here"


class AlreadyBlocked(UserError):
    key = "error.already_blocked"


class NotBlocked(UserError):
    key = "error.not_blocked"


class NoAppeal(UserError):
    key = "error.no_appeal"


class AppealAlreadyDeclined(UserError):
    key = "error.appeal_already_declined"


class GroupNotBound(UserError):
    key = "error.group_not_bound"


class NotYourTicket(UserError):
    """A complainant's reply button for a ticket that is not theirs (forged or foreign)."""

    key = "error.not_your_ticket"


# ---- deadlines and rating -------------------------------------------------------

class RatingClosed(UserError):
    """The ticket no longer waits for a rating (already rated, closed, or reopened)."""

    key = "error.rating_closed"


# ---- the accountability office -------------------------------------------------

class BadPeriod(UserError):
    """A period that is not week|month|quarter|YYYY-MM|YYYYQn (or names a month/quarter that
    does not exist: 2026Q5, 2026-13)."""

    key = "error.bad_period"


class OfficeRoomOnly(UserError):
    """/stats and /officials name departments and officials: not for a department group."""

    key = "error.office_room_only"


class FindingOnOpenTicket(UserError):
    """调查核实 comes after the answer: a ticket still being handled has nothing to judge."""

    key = "error.finding_open_ticket"


class MeasureWithoutFinding(UserError):
    """A sanction needs a substantiated (属实 / 部分属实) finding."""

    key = "error.measure_without_finding"


class UnknownVerdict(UserError):
    key = "error.unknown_verdict"


class UnknownMeasure(UserError):
    key = "error.unknown_measure"


class NoOfficialNamed(UserError):
    """A finding names at least one official (the handler)."""

    key = "error.no_official"


class HeadRecordRequired(UserError):
    """一案双查: a ticket reopened after 不满意 also examines the unit's head."""

    key = "error.head_record_required"


class BadOfficialName(UserError):
    """Empty (or only spaces) after normalisation, or longer than the limit."""

    key = "error.bad_official_name"


class FindingNotFound(UserError):
    key = "error.finding_not_found"


class FindingExists(UserError):
    """A ticket has one finding; change it with a correction, which keeps the history."""

    key = "error.finding_exists"


class OfficialNotFound(UserError):
    key = "error.official_not_found"


class NothingChanged(UserError):
    key = "error.nothing_changed"


class UnknownCategory(UserError):
    key = "error.unknown_category"


class BadCorrectionField(UserError):
    key = "error.bad_correction_field"


class ReturnedByDepartment(UserError):
    """The office cannot hand a ticket back to the department that returned it, except by
    ruling 责令原部门办理."""

    key = "error.returned_by_department"
