"""Which script a person reads: Simplified, or Traditional in a regional profile.

Templates exist once, in Simplified; the edge converts the rendered text with OpenCC for a
chat whose script is not Simplified. The script is decided from what the person writes
(the characters that differ between the two scripts, majority wins, so mixed text follows
what dominates) with Telegram's `language_code` only as a hint for text that shows neither
(a command, "你好", digits) and for the region. It is remembered in the chat's state, so a
notification sent days later is in the same script.

Profiles name OpenCC's Simplified → Traditional configurations: `hk` (s2hk), `tw` (s2tw:
Taiwan's character forms, deliberately not s2twp, whose phrase table turns 对象 into 物件 and
窗口 into 視窗), `t` (s2t, OpenCC's standard forms). "" is Simplified (no conversion).
"""

from __future__ import annotations

from functools import lru_cache

import opencc

SIMPLIFIED, TRADITIONAL, TAIWAN, HONG_KONG = "", "t", "tw", "hk"
PROFILES = (SIMPLIFIED, TRADITIONAL, TAIWAN, HONG_KONG)
TRADITIONAL_PROFILES = (TRADITIONAL, TAIWAN, HONG_KONG)
OPENCC_CONFIG = {TRADITIONAL: "s2t", TAIWAN: "s2tw", HONG_KONG: "s2hk"}

_HINTS = {"zh-hant": TRADITIONAL, "zh-tw": TAIWAN, "zh-hk": HONG_KONG, "zh-mo": HONG_KONG,
          "zh-hans": SIMPLIFIED, "zh-cn": SIMPLIFIED, "zh-sg": SIMPLIFIED, "zh": SIMPLIFIED}


@lru_cache(maxsize=8)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def hint(language_code: str) -> str | None:
    """The profile a Telegram language_code suggests; None when it says nothing about Chinese."""
    code = language_code.strip().lower().replace("_", "-")
    if code in _HINTS:
        return _HINTS[code]
    if code.startswith("zh-hant-"):
        return _HINTS.get("zh-" + code.rsplit("-", 1)[1], TRADITIONAL)
    return None


def differing(text: str, config: str) -> int:
    """How many characters of `text` the conversion `config` changes."""
    converted: str = _converter(config).convert(text)
    if len(converted) != len(text):     # a phrase changed length: compare what lines up
        return sum(a != b for a, b in zip(text, converted, strict=False)) + 1
    return sum(a != b for a, b in zip(text, converted, strict=True))


def written_in(text: str) -> str | None:
    """Simplified, Traditional or None (the text looks the same in both)."""
    traditional, simplified = differing(text, "t2s"), differing(text, "s2t")
    if traditional == simplified:
        return None
    return TRADITIONAL if traditional > simplified else SIMPLIFIED


def region(text: str) -> str | None:
    """Taiwan or Hong Kong when the text's character forms tell them apart (裡 vs 裏)."""
    base = _converter("tw2s").convert(_converter("hk2s").convert(text))
    tw_misses = differing_from(text, _converter("s2tw").convert(base))
    hk_misses = differing_from(text, _converter("s2hk").convert(base))
    if tw_misses == hk_misses:
        return None
    return TAIWAN if tw_misses < hk_misses else HONG_KONG


def differing_from(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False)) + abs(len(a) - len(b))


def observe(current: str | None, text: str, language_code: str) -> str | None:
    """The script to answer in after this message; None while nothing has told us."""
    written = written_in(text) if text else None
    if written == SIMPLIFIED:
        return SIMPLIFIED
    suggested = hint(language_code)
    if written == TRADITIONAL:
        found = region(text)
        if found is not None:
            return found
        if current in TRADITIONAL_PROFILES:
            return current
        return suggested if suggested in TRADITIONAL_PROFILES else TRADITIONAL
    return current if current is not None else suggested


def convert(text: str, profile: str | None) -> str:
    """`text` (Simplified) in `profile`; unchanged for Simplified or an unknown profile."""
    config = OPENCC_CONFIG.get(profile or SIMPLIFIED)
    if config is None:
        return text
    converted: str = _converter(config).convert(text)
    return converted


def to_simplified(text: str) -> str:
    """What a Traditional reader typed, for comparing with the Simplified words we expect."""
    simplified: str = _converter("t2s").convert(text)
    return simplified
