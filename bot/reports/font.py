"""The CJK font every chart uses: shipped inside zhiyong (package data), never a system font,
so a fresh machine draws Chinese labels as glyphs and not as boxes."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from matplotlib import font_manager

FONT_FILE = Path(__file__).parent / "fonts" / "wqy-microhei.ttc"


@lru_cache(maxsize=1)
def cjk_font() -> font_manager.FontProperties:
    """Registered once with matplotlib; charts pass it explicitly to every text they draw."""
    if not FONT_FILE.is_file():
        raise FileNotFoundError(f"the chart font is missing from the install: {FONT_FILE}")
    font_manager.fontManager.addfont(str(FONT_FILE))
    return font_manager.FontProperties(fname=str(FONT_FILE))
