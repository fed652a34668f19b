"""Officials' names and units as typed by people: one key per spelling of one person.

Character-level Traditional → Simplified (OpenCC t2s, not the phrase table the classifier
uses: 計程車 → 出租车 is right for complaint text and wrong for a name), full-width → half-width,
all whitespace removed (张 三 == 张三), Latin letters lower-cased.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

from workflow.errors import BadOfficialName

MAX_NAME_CHARS = 60
MAX_FIELD_CHARS = 120        # post and unit


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def clean(text: str) -> str:
    """What is shown: full-width folded (NFKC), runs of whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def key(text: str) -> str:
    """What is matched: clean, simplified, no spaces, lower-case."""
    return str(_t2s().convert(clean(text))).replace(" ", "").lower()


def check_name(name: str) -> str:
    """The shown form of an official's name; BadOfficialName when empty or too long."""
    shown = clean(name)
    if not shown:
        raise BadOfficialName(reason="empty", max=MAX_NAME_CHARS, chars=0)
    if len(shown) > MAX_NAME_CHARS:
        raise BadOfficialName(reason="too_long", max=MAX_NAME_CHARS, chars=len(shown))
    return shown


def check_field(text: str, what: str) -> str:
    """Post and unit are optional but bounded."""
    shown = clean(text)
    if len(shown) > MAX_FIELD_CHARS:
        raise BadOfficialName(reason=f"{what}_too_long", max=MAX_FIELD_CHARS, chars=len(shown))
    return shown
