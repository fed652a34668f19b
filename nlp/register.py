"""How much a text reads like a message-board letter rather than a complaint typed at the bot.

Why: a letter is written after the events, long, polite, with addresses, dates and questions; a
short complaint typed straight at the bot ("窗口科长推诿，三次都不给办", "楼道里有煤气味") is
about now. The urgency rules read an injury or a collapse in a letter as present only where the
letter says so (nlp/urgency.py). `letter_weight` is 0 for a short, bare complaint and 1 for a
typical letter.
"""

from __future__ import annotations

from collections.abc import Collection

SHORT = 60          # characters (normalised) at or below which a text is a bare complaint
LONG = 160          # … at or above which length alone makes it a letter
# openings, closings and asides of a letter to an authority; each adds to the weight
LETTER_MARKS = ("您好", "你好", "尊敬的", "领导", "局长", "书记", "市长", "厅长", "谢谢", "感谢",
                "盼复", "望回复", "恳请", "特此", "本人", "我们小区", "业主", "请问", "咨询")
MARK_WEIGHT = 0.25
LETTER = 0.5        # a weight from which a text is read as a letter written after the events
MARK_SET = frozenset(LETTER_MARKS)


def letter_weight(norm: str, found: Collection[str] | None = None) -> float:
    """0 … 1: how far the text is in the message-board register (length plus letter marks).

    `found`: a scan that reports every mark the text holds (Lexicon.also_found), so the marks
    are counted without a substring search each.
    """
    length = min(max((len(norm) - SHORT) / (LONG - SHORT), 0.0), 1.0)
    count = (len(MARK_SET.intersection(found)) if found is not None
             else sum(1 for m in LETTER_MARKS if m in norm))
    return min(length + count * MARK_WEIGHT, 1.0)
