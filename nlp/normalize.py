"""Text normalisation: one canonical form so Traditional, full-width and noisy input look alike."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_URL = re.compile(r"(?:https?://|www\.)[^\s\u4e00-\u9fff，。！？、；）)】]+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
_PHONE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(?:1[3-9]\d[- ]?\d{4}[- ]?\d{4}|0\d{2,3}-?\d{7,8}|\d{3}-\d{4}-\d{4})(?!\d)")
_SPACES = re.compile(r"\s+")
URL_MASK = " URL "
PHONE_MASK = " TEL "


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    """OpenCC t2s loads its dictionaries once (a few ms); reuse the converter."""
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC, so both scripts share features."""
    return _converter().convert(text)


def to_halfwidth(text: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３！) → half-width; Chinese punctuation is kept."""
    return text.translate(_FULLWIDTH)


def mask(text: str) -> str:
    """Phone numbers, e-mails and URLs become placeholders: they identify, they don't classify."""
    text = _URL.sub(URL_MASK, text)
    text = _EMAIL.sub(URL_MASK, text)
    return _PHONE.sub(PHONE_MASK, text)


def normalize(text: str) -> str:
    """The canonical text every later stage sees: simplified, half-width, masked, lower-case."""
    text = to_halfwidth(text)
    text = mask(text)
    text = to_simplified(text)
    return _SPACES.sub(" ", text).strip().lower()
