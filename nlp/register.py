"""Whether a text is a story told after the events or a report of what is happening.

Why: a message-board letter is written after the events (long, with addresses, dates and the
history of the case); a complaint typed straight at the bot ("楼道里有煤气味", "尊敬的领导您好！
楼下老人晕倒了，叫不醒") is about now, however politely it opens. The urgency rules read an injury,
an assault or a collapse in a story as present only where the story says so (nlp/urgency.py).
"""

from __future__ import annotations

# characters (normalised) from which a text tells a story: real letters have a median of ~230,
# written-to-order complaints and reports typed at the bot mostly under 100
STORY = 110


def told_after(norm: str) -> bool:
    """The text is long enough to be a story told after the events."""
    return len(norm) >= STORY
