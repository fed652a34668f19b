"""One typed state per private chat, read once per update by dispatch and written once.

A person can be in several things at once: filing a complaint (the draft), a staff member's
private dialog for a desk action, answering a staff question, or about to comment on a
rating. Each has its own typed part, so one never clobbers another; the storage row keeps
them as JSON under their own keys (`Conversation.draft`), with the filing step in
`Conversation.state`.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from workflow.chat.script import PROFILES
from workflow.model import Conversation

IDLE, DESCRIBE, ACCUSED, IDENTITY, CONFIRM = "idle", "describe", "accused", "identity", "confirm"
STEPS = (IDLE, DESCRIBE, ACCUSED, IDENTITY, CONFIRM)


def new_token() -> str:
    return secrets.token_hex(4)


@dataclass
class Classified:
    """The classification shown in the summary is the one submitted (what the user confirmed)."""

    category: str
    department: str
    urgent: bool
    tags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    triaged: bool = False
    category_unconfirmed: bool = False


@dataclass
class FilingDraft:
    parts: list[str] = field(default_factory=list)
    attachments: list[dict[str, str]] = field(default_factory=list)
    accused: str | None = None           # None: not asked yet; "": skipped
    anonymous: bool | None = None        # None: not chosen yet
    phone: str = ""
    editing: bool = False                # back to the summary after this step
    classification: Classified | None = None
    beside_questions: bool = False       # told us this draft is not the answer to a 追问
    danger_told: str = ""                # the danger whose emergency number we already gave
    duplicate_of: str = ""               # the person's own ticket this draft repeats
    duplicate_ok: bool = False           # told so, they file it as a new complaint anyway

    def description(self) -> str:
        return "\n".join(p for p in self.parts if p.strip())


@dataclass
class DeskDialog:
    """A staff member's private dialog that completes a desk action on a ticket."""

    token: str
    action: str
    ticket_id: int
    number: str
    from_department: str
    returned_from: str = ""              # a returned ticket is never offered back to it
    step: int = 0                        # index into the action's dialog steps; -1: own words
    parts: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class QuestionReply:
    """The complainant pressed 回复 under a staff question: the next text answers it."""

    ticket_id: int
    number: str


@dataclass
class HeldInput:
    """A message that could answer a staff question or belong to the draft: kept until the
    complainant says which (workflow.chat.answers)."""

    kind: str
    text: str = ""
    file_id: str = ""
    file_unique_id: str = ""
    file_name: str = ""
    latitude: float | None = None
    longitude: float | None = None
    duration: int = 0
    file_size: int = 0


@dataclass
class Flood:
    """How many messages this person sent in the current minute, and whether we said so."""

    started: str                         # ISO instant the window opened
    count: int = 0
    noticed: bool = False


@dataclass
class RatingWait:
    """After rating, the next text is a comment (or, after 不满意, the reason)."""

    ticket_id: int
    wants: str                           # comment | reason


@dataclass
class ChatState:
    chat_id: int
    step: str = IDLE
    token: str = field(default_factory=new_token)
    draft: FilingDraft | None = None
    dialog: DeskDialog | None = None
    reply: QuestionReply | None = None
    rating: RatingWait | None = None
    held: HeldInput | None = None
    flood: Flood | None = None
    script: str | None = None            # workflow.chat.script profile; None: not known yet
    updated_at: datetime | None = None

    def start_draft(self, parts: list[str] | None = None) -> FilingDraft:
        self.step, self.token = DESCRIBE, new_token()
        self.draft = FilingDraft(parts=list(parts or []))
        return self.draft

    def end_draft(self) -> None:
        self.step, self.token, self.draft = IDLE, new_token(), None

    @property
    def filing(self) -> FilingDraft:
        """The draft of a chat that is filing (every step but idle has one)."""
        if self.draft is None:
            self.draft = FilingDraft()
        return self.draft

    # ---- storage ------------------------------------------------------------------------

    def to_row(self) -> Conversation:
        parts: dict[str, Any] = {}
        for name in ("draft", "dialog", "reply", "rating", "held", "flood"):
            value = getattr(self, name)
            if value is not None:
                parts[name] = asdict(value)
        if self.script is not None:
            parts["script"] = self.script
        return Conversation(chat_id=self.chat_id, state=self.step, token=self.token, draft=parts,
                            updated_at=self.updated_at)

    @classmethod
    def from_row(cls, row: Conversation | None, chat_id: int) -> ChatState:
        if row is None:
            return cls(chat_id=chat_id)
        d = _upgraded(row.draft or {})
        step = row.state if row.state in STEPS else IDLE
        return cls(chat_id=chat_id, step=step, token=row.token or new_token(),
                   draft=_draft(d.get("draft")) if step != IDLE else None,
                   dialog=_typed(DeskDialog, d.get("dialog")),
                   reply=_typed(QuestionReply, d.get("reply")),
                   rating=_typed(RatingWait, d.get("rating")), held=_typed(HeldInput, d.get("held")),
                   flood=_typed(Flood, d.get("flood")),
                   script=remembered_script(row),
                   updated_at=row.updated_at)


def remembered_script(row: Conversation | None) -> str | None:
    """The script a chat's person reads, as its state row remembers it."""
    value = (row.draft or {}).get("script") if row is not None else None
    return value if isinstance(value, str) and value in PROFILES else None


def _upgraded(d: dict[str, Any]) -> dict[str, Any]:
    """A row written before the parts had their own keys: the draft's fields were top-level."""
    if "parts" not in d or "draft" in d:
        return d
    fields = ("parts", "attachments", "accused", "anonymous", "phone", "editing")
    draft = {k: d[k] for k in fields if k in d}
    if isinstance(d.get("classification"), dict):
        draft["classification"] = d["classification"]
    return {"draft": draft}


def _typed(cls: Any, data: Any) -> Any:
    """A part written by this version; anything unreadable is dropped, not guessed at."""
    if not isinstance(data, dict):
        return None
    try:
        return cls(**data)
    except TypeError:
        return None


def _draft(data: Any) -> FilingDraft:
    if not isinstance(data, dict):
        return FilingDraft()
    c = data.pop("classification", None)
    draft = _typed(FilingDraft, data) or FilingDraft()
    draft.classification = _typed(Classified, c)
    return draft
