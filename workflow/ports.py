"""Every port of the domain, as Protocols: storage (implemented in storage/), the read side,
the transport that delivers messages and the classifier (implemented in bot/ and nlp/), and
the clock. The domain depends on these, never on what implements them."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from workflow.chat.messages import Outgoing
from workflow.model import (
    Attachment,
    Complainant,
    ComplainantBlock,
    Conversation,
    ExtensionRequest,
    GroupBinding,
    InviteCode,
    LedgerEntry,
    OutboxMessage,
    ScheduledAction,
    StaffMember,
    Ticket,
    TicketEvent,
)
from workflow.office.model import Correction, Finding, IdentityView, Official
from workflow.office.readmodel import AnswerSpan, DepartmentCounts, FlaggedOfficial, LedgerLine

if TYPE_CHECKING:
    from workflow.office.kpis import KpiReport
    from workflow.office.ledger import Ledger

# ---- the world outside --------------------------------------------------------------------

class OfficeScreens(Protocol):
    """The office's reports as messages (the chart is drawn at the edge, not in the domain)."""

    async def stats(self, chat_id: int, report: KpiReport) -> list[Outgoing]: ...

    def officials(self, chat_id: int, year: int, flagged: list[FlaggedOfficial]
                  ) -> Outgoing: ...

    async def period_report(self, chat_id: int, ledger: Ledger) -> list[Outgoing]:
        """The scheduled summary of a period: the chart (a photo) and the ledger (an XLSX)."""
        ...


class Clock(Protocol):
    """The domain's only source of the current time."""

    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class Classified(Protocol):
    """The part of a classification the workflow relies on."""

    category: str
    department: str
    urgent: bool
    tags: list[str]
    confidence: dict[str, float]
    evidence: list[str]
    triaged: bool
    category_unconfirmed: bool    # the office confirms the category (待核定)


Classify = Callable[[str], Classified]
Normalize = Callable[[str], str]   # one script for comparing texts (Traditional → Simplified)


class Transport(Protocol):
    """Delivers one outgoing message to Telegram (the adapters implement it)."""

    async def send(self, out: Outgoing) -> int | None:
        """Send one outgoing message; return the (first) Telegram message id."""
        ...


# ---- storage: one repository per thing stored ------------------------------------------------

class SendSlots(Protocol):
    """Telegram's limits: a send slot for `msg` now (0), or the seconds until one is free."""

    async def take(self, msg: OutboxMessage) -> float: ...


class ComplainantRepo(Protocol):
    async def by_telegram_id(self, telegram_id: int) -> Complainant | None: ...
    async def get(self, complainant_id: int) -> Complainant | None: ...
    async def add(self, c: Complainant) -> Complainant: ...
    async def register(self, c: Complainant, profile: bool = True) -> Complainant:
        """Stored by Telegram id in one write: added the first time, afterwards its name
        fields refreshed (when `profile`) and its phone (when not empty); returns the row."""
        ...
    async def chats(self, complainant_ids: list[int]) -> dict[int, int]:
        """complainant id -> Telegram chat id."""
        ...


class ConversationRepo(Protocol):
    async def get(self, chat_id: int) -> Conversation | None: ...
    async def get_with_block(self, chat_id: int) -> tuple[Conversation | None, bool]:
        """The conversation and whether the chat's sender has an active block, in one read
        (both are needed for every private update)."""
        ...
    async def save(self, conv: Conversation) -> None: ...


class TicketRepo(Protocol):
    async def add(self, t: Ticket) -> Ticket: ...
    async def get(self, ticket_id: int) -> Ticket | None: ...
    async def by_number(self, number: str) -> Ticket | None: ...
    async def for_complainant(self, complainant_id: int, limit: int = 20) -> list[Ticket]: ...
    async def open_for_department(self, department: str) -> list[Ticket]: ...
    async def save(self, t: Ticket) -> bool:
        """Optimistic lock: write only if the stored version is still t.version, then bump
        t.version; False when someone saved the ticket first."""
        ...
    async def many(self, ids: list[int]) -> dict[int, Ticket]: ...
    async def unplanned(self, limit: int) -> list[Ticket]:
        """Tickets changed since their actions were planned (version != planned_version)."""
        ...
    async def mark_planned(self, ticket_id: int, version: int) -> bool:
        """Record the planned version unless the ticket changed meanwhile."""
        ...
    async def next_serial(self, day: date) -> int:
        """Atomically take the next number of the day (unique across processes)."""
        ...


class EventRepo(Protocol):
    async def add(self, e: TicketEvent) -> None: ...
    async def add_many(self, events: list[TicketEvent]) -> None: ...
    async def for_ticket(self, ticket_id: int) -> list[TicketEvent]: ...


class AttachmentRepo(Protocol):
    async def add(self, a: Attachment) -> None: ...
    async def for_ticket(self, ticket_id: int) -> list[Attachment]: ...


class BindingRepo(Protocol):
    async def for_department(self, department: str) -> GroupBinding | None: ...
    async def for_chat(self, chat_id: int) -> GroupBinding | None: ...
    async def bind(self, b: GroupBinding) -> None: ...
    async def chats(self) -> dict[str, int]:
        """department -> group chat bound with /bind (config chat ids are the fallback)."""
        ...


class InviteRepo(Protocol):
    async def add(self, i: InviteCode) -> None: ...
    async def get(self, code: str) -> InviteCode | None: ...
    async def use(self, code: str, user_id: int, at: datetime) -> bool:
        """Mark used if still unused; False when someone else used it first."""
        ...


class UpdateLog(Protocol):
    async def first_time(self, update_id: int, at: datetime) -> bool:
        """Record the update id; False when it was already handled (redelivery)."""
        ...


class OutboxRepo(Protocol):
    async def add(self, m: OutboxMessage) -> bool:
        """Queue unless a message with the same dedupe key exists; False if it did."""
        ...
    async def add_many(self, messages: list[OutboxMessage]) -> int:
        """Queue many at once (dedupe keys respected); return how many were new."""
        ...
    async def claim(self, now: datetime, worker: str, limit: int, stale_before: datetime
                    ) -> list[OutboxMessage]: ...
    async def recent_slots(self, chat_id: int, bot_since: datetime, chat_since: datetime
                           ) -> tuple[list[datetime], list[datetime]]:
        """Send slots taken since then (bot-wide, to this chat); serialised until commit."""
        ...
    async def take_slot(self, msg_id: int, at: datetime) -> None:
        """Record that a claimed row is handed to Telegram at `at` (counted by recent_slots)."""
        ...
    async def mark_sent(self, msg_id: int, at: datetime, message_id: int | None) -> None: ...
    async def mark_sent_many(self, marks: list[tuple[int, datetime, int | None]]) -> None:
        """mark_sent for many rows in one statement: (id, sent at, Telegram's message id)."""
        ...
    async def retry_at(self, msg_id: int, at: datetime, error: str) -> None: ...
    async def mark_failed(self, msg_id: int, error: str) -> None: ...
    async def add_replies(self, messages: list[OutboxMessage], worker: str,
                          now: datetime) -> list[OutboxMessage]:
        """Queue rows claimed by `worker` (it sends them itself), with their ids; a row whose
        chat has one due, in flight elsewhere or waiting for a retry queues pending instead,
        so it goes after it. Returns the claimed rows only.

        Rows in flight under `worker`'s own claim do not hold a chat back: that claimer sends
        a chat's rows one after another anyway."""
        ...
    async def claimers(self) -> list[str]:
        """The workers holding claims right now."""
        ...
    async def release_claims_of(self, worker: str, why: str) -> int:
        """A dead worker's claims back to pending at once (their attempt not counted)."""
        ...
    async def release(self, msg_id: int, at: datetime, why: str) -> None:
        """Back to pending untried (the claim's attempt is not counted), due at `at`."""
        ...
    async def last_sent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]
                        ) -> OutboxMessage | None:
        """The newest sent row of these kinds (a ticket card is edited in place by its id)."""
        ...
    async def by_message(self, chat_id: int, message_id: int) -> OutboxMessage | None:
        """The sent row that became this Telegram message (what a reply-to points at)."""
        ...

    async def has_unsent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...]) -> bool:
        """A row of these kinds still waiting or in flight (a card not yet sent)."""
        ...
    async def cancel_unsent(self, ticket_id: int, chat_id: int, kinds: tuple[str, ...],
                            why: str) -> int:
        """Rows of these kinds still waiting (not in flight) will not be sent: status
        cancelled, `why` as the error. How many."""
        ...


class StaffRepo(Protocol):
    async def by_telegram_id(self, telegram_id: int) -> StaffMember | None: ...
    async def upsert(self, m: StaffMember) -> None:
        """Register, or re-register (new department/role) a person by Telegram id."""
        ...
    async def listing(self, department: str | None = None) -> list[StaffMember]: ...
    async def save(self, m: StaffMember) -> None: ...


class ExtensionRepo(Protocol):
    async def add(self, r: ExtensionRequest) -> ExtensionRequest: ...
    async def get(self, request_id: int) -> ExtensionRequest | None: ...
    async def for_ticket(self, ticket_id: int) -> list[ExtensionRequest]: ...
    async def decide(self, r: ExtensionRequest) -> bool:
        """Store the decision if the request is still pending; False if someone decided first."""
        ...


class BlockRepo(Protocol):
    """Complainants the office blocked (by ticket number; it never sees who they are)."""

    async def add(self, b: ComplainantBlock) -> ComplainantBlock: ...
    async def active(self, complainant_id: int) -> ComplainantBlock | None: ...
    async def active_for_chat(self, chat_id: int) -> ComplainantBlock | None:
        """The active block of the complainant writing from this private chat, if any."""
        ...
    async def save(self, b: ComplainantBlock) -> None: ...


class ActionRepo(Protocol):
    """Deadline actions of tickets (reminders, 催办, 督办, rating steps)."""

    async def plan(self, actions: list[ScheduledAction]) -> int:
        """Insert unless (ticket, kind, deadline) exists; return how many were new."""
        ...
    async def pending_for_ticket(self, ticket_id: int) -> list[ScheduledAction]: ...
    async def cancel(self, ids: list[int]) -> None: ...
    async def skip(self, ids: list[int]) -> None:
        """Claimed actions that no longer apply (the ticket moved on): kept as `skipped`."""
        ...
    async def claim_due(self, now: datetime, worker: str, limit: int) -> list[ScheduledAction]:
        """Atomically mark due pending actions done-by-`worker` (SKIP LOCKED on PostgreSQL).

        The claim is part of the caller's transaction: if the caller dies before commit, the
        actions are pending again, so nothing is lost and nothing runs twice.
        """
        ...
    async def fail(self, action_id: int, error: str, retry_at: datetime | None) -> None:
        """Record an action that raised: back to pending at retry_at, or failed for good."""
        ...


class LedgerRepo(Protocol):
    async def add(self, entries: list[LedgerEntry]) -> int:
        """Record unless (ticket, kind, deadline) exists; return how many were new."""
        ...
    async def since(self, at: datetime) -> list[LedgerEntry]: ...


# ---- the read side ------------------------------------------------------------------------

class Views(Protocol):
    """Summaries for digests and reports: read-only, shaped for the screen that shows them."""

    async def open_summary(self, now: datetime) -> dict[str, tuple[int, int]]:
        """department -> (open tickets, overdue open tickets)."""
        ...


class UnitOfWork(Protocol):
    complainants: ComplainantRepo
    conversations: ConversationRepo
    tickets: TicketRepo
    events: EventRepo
    attachments: AttachmentRepo
    bindings: BindingRepo
    invites: InviteRepo
    updates: UpdateLog
    outbox: OutboxRepo
    staff: StaffRepo
    extensions: ExtensionRepo
    blocks: BlockRepo

    actions: ActionRepo
    ledger: LedgerRepo
    views: Views

    findings: FindingRepo
    officials: OfficialRepo
    corrections: CorrectionRepo
    audit: AuditRepo
    office_views: OfficeViews

    async def __aenter__(self) -> UnitOfWork: ...
    async def __aexit__(self, *exc: object) -> None: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    def savepoint(self) -> AbstractAsyncContextManager[object]:
        """Isolate one step: its writes roll back alone if it raises."""
        ...


UnitOfWorkFactory = Callable[[], UnitOfWork]


# ---- the accountability office -------------------------------------------------

class FindingRepo(Protocol):
    """调查核实 records; a finding is read and written with its officials."""

    async def for_ticket(self, ticket_id: int) -> Finding | None: ...
    async def add(self, f: Finding) -> Finding: ...
    async def save(self, f: Finding) -> None:
        """Verdict, note, updated_at, and the officials concerned (replaced)."""
        ...


class OfficialRepo(Protocol):
    async def get(self, official_id: int) -> Official | None: ...
    async def by_key(self, name_key: str, unit_key: str) -> Official | None:
        """The person with this spelling; a merged spelling answers with the one kept."""
        ...
    async def add(self, o: Official) -> Official: ...
    async def merge(self, keep_id: int, other_id: int) -> None:
        """Findings of `other` become findings of `keep`; `other` points at `keep`."""
        ...
    async def substantiated(self, official_id: int, year: int) -> list[str]:
        """Ticket numbers of substantiated findings naming the person in that year."""
        ...
    async def years(self, official_id: int) -> list[int]: ...


class CorrectionRepo(Protocol):
    async def add(self, c: Correction) -> Correction: ...
    async def for_ticket(self, ticket_id: int) -> list[Correction]: ...
    async def listing(self) -> list[Correction]:
        """All of them, oldest first (the training export)."""
        ...


class AuditRepo(Protocol):
    async def add(self, views: list[IdentityView]) -> None: ...
    async def for_ticket(self, ticket_id: int) -> list[IdentityView]: ...


class OfficeViews(Protocol):
    """The read side of the office: aggregate queries, fast on 100,000 tickets."""

    async def department_counts(self, start: datetime, end: datetime, now: datetime
                                ) -> dict[str, DepartmentCounts]: ...
    async def answer_spans(self, start: datetime, end: datetime) -> list[AnswerSpan]: ...
    async def ledger(self, start: datetime, end: datetime, with_identity: bool
                     ) -> list[LedgerLine]: ...
    async def flagged_officials(self, year: int, threshold: int) -> list[FlaggedOfficial]: ...
