"""Every button's callback data: how it is written and how it is read back, in one place.

Callback data comes back from Telegram as a string any client can forge, so reading it is
strict: a known prefix, the right number of parts, words from a closed set, ids that are
plain ASCII digits within a database INTEGER. Anything else is a `StaleButton` (the user is
told the button is out of date). Data is a hint, never a permission: handlers look the
ticket and the person up again.

    h:<file|mine|help>                 home menu
    f:<action>:<draft token>           a filing draft's buttons     f:anon  (reply keyboard)
    t:<action>:<ticket id>             a ticket card at the desk
    x:<approve|refuse>:<request id>    the office's decision on an extension
    d:<dialog token>:<kind>:<value>    a step of a staff member's private dialog
    q:<ticket id> | q:cancel           the complainant answers a staff question
    r:<ticket id>:<s|b|u|x>            the complainant rates an answer
    a:<ticket id> | a:draft | a:new    which one a held message meant (a question or the draft)
    o:<d|c|m>:<ticket id>:<value>      the office's triage: department, category, 责令原部门办理
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflow.errors import StaleButton

MAX_DATA = 64              # Telegram's limit for callback data; anything longer is forged
MAX_ID = 2**31 - 1         # ids live in INTEGER columns on PostgreSQL and SQLite alike

HOME_ACTIONS = ("file", "mine", "help")
DECISIONS = ("approve", "refuse")
RATING_CODES = ("s", "b", "u", "x")
ANONYMOUS = "f:anon"       # the reply-keyboard button (reply keyboards carry no token)
REPLY_CANCEL = "q:cancel"
MEANT_FILING = ("draft", "new")
TRIAGE_FIELDS = {"d": "department", "c": "category", "m": "must"}

_WORD = re.compile(r"[a-z_]{1,24}")
_TOKEN = re.compile(r"[0-9a-f]{4,16}")
_VALUE = re.compile(r"[a-z0-9_]{0,32}")
_ID = re.compile(r"[0-9]{1,10}")


@dataclass(frozen=True)
class Press:
    """A button press, read back: which family (`kind`) and its fields."""

    kind: str                 # home | filing | ticket | ... | rating | meant | triage
    action: str = ""
    id: int = 0
    token: str = ""
    value: str = ""


# ---- writing ------------------------------------------------------------------------------

def home(action: str) -> str:
    return f"h:{action}"


def filing(action: str, token: str) -> str:
    return f"f:{action}:{token}"


def ticket(action: str, ticket_id: int) -> str:
    return f"t:{action}:{ticket_id}"


def extension(decision: str, request_id: int | None) -> str:
    return f"x:{decision}:{request_id}"


def dialog(token: str, kind: str, value: str = "") -> str:
    return f"d:{token}:{kind}:{value}"


def reply(ticket_id: int | None) -> str:
    return f"q:{ticket_id}"


def rating(ticket_id: int | None, code: str) -> str:
    return f"r:{ticket_id}:{code}"


def meant(target: int | str | None) -> str:
    """a:<ticket id> (the answer to its question), a:draft or a:new (it is about filing)."""
    return f"a:{target}"


def triage(field: str, ticket_id: int | None, value: str = "") -> str:
    """o:<d|c|m>:<ticket id>:<value>; `field` is department, category or must."""
    code = next(c for c, f in TRIAGE_FIELDS.items() if f == field)
    return f"o:{code}:{ticket_id}:{value}"


# ---- reading ------------------------------------------------------------------------------

def kind_of(data: str) -> str:
    """The family of a press without validating the rest (for routing)."""
    return _KINDS.get(data[:2], "")


def parse(data: str) -> Press:
    """Read callback data back; StaleButton for anything malformed, overlong or unknown."""
    kind = kind_of(data)
    if not kind or len(data) > MAX_DATA:
        raise StaleButton()
    parts = data.split(":")
    reader = _READERS[kind]
    press = reader(parts)
    if press is None:
        raise StaleButton()
    return press


def _id(text: str) -> int | None:
    if not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def _home(p: list[str]) -> Press | None:
    return Press("home", p[1]) if len(p) == 2 and p[1] in HOME_ACTIONS else None


def _filing(p: list[str]) -> Press | None:
    if len(p) == 2 and p[1] == "anon":
        return Press("filing", "anon")
    if len(p) == 3 and _WORD.fullmatch(p[1]) and _TOKEN.fullmatch(p[2]):
        return Press("filing", p[1], token=p[2])
    return None


def _ticket(p: list[str]) -> Press | None:
    if len(p) == 3 and _WORD.fullmatch(p[1]) and (n := _id(p[2])) is not None:
        return Press("ticket", p[1], id=n)
    return None


def _extension(p: list[str]) -> Press | None:
    if len(p) == 3 and p[1] in DECISIONS and (n := _id(p[2])) is not None:
        return Press("extension", p[1], id=n)
    return None


def _dialog(p: list[str]) -> Press | None:
    if len(p) == 4 and _TOKEN.fullmatch(p[1]) and _WORD.fullmatch(p[2]) \
            and _VALUE.fullmatch(p[3]):
        return Press("dialog", p[2], token=p[1], value=p[3])
    return None


def _reply(p: list[str]) -> Press | None:
    if len(p) == 2 and p[1] == "cancel":
        return Press("reply", "cancel")
    if len(p) == 2 and (n := _id(p[1])) is not None:
        return Press("reply", "open", id=n)
    return None


def _rating(p: list[str]) -> Press | None:
    if len(p) == 3 and p[2] in RATING_CODES and (n := _id(p[1])) is not None:
        return Press("rating", p[2], id=n)
    return None


def _meant(p: list[str]) -> Press | None:
    if len(p) == 2 and p[1] in MEANT_FILING:
        return Press("meant", p[1])
    if len(p) == 2 and (n := _id(p[1])) is not None:
        return Press("meant", "question", id=n)
    return None


def _triage(p: list[str]) -> Press | None:
    if len(p) == 4 and p[1] in TRIAGE_FIELDS and (n := _id(p[2])) is not None \
            and _VALUE.fullmatch(p[3]):
        return Press("triage", TRIAGE_FIELDS[p[1]], id=n, value=p[3])
    return None


_KINDS = {"h:": "home", "f:": "filing", "t:": "ticket", "x:": "extension", "d:": "dialog",
          "q:": "reply", "r:": "rating", "a:": "meant", "o:": "triage"}
_READERS = {"home": _home, "filing": _filing, "ticket": _ticket, "extension": _extension,
            "dialog": _dialog, "reply": _reply, "rating": _rating, "meant": _meant, "triage": _triage}
