"""The result of classifying one complaint: what the bot stores and staff read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# danger reason → the emergency number the citizen should call at once
DANGER_CALLS: dict[str, str] = {"fire": "119", "gas": "119", "medical": "120", "police": "110"}


@dataclass(frozen=True)
class Classification:
    """Category, department, urgency and tags, each decision with a confidence and its evidence.

    `category_unconfirmed`: the category's confidence is below the category threshold, so the
    oversight office confirms it (shown as 待核定); `category` still holds the best guess.
    `danger`: "" or a key of DANGER_CALLS when a life is in danger now (urgent is then true).
    """

    category: str
    department: str
    urgent: bool
    tags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    triaged: bool = False
    category_unconfirmed: bool = False
    danger: str = ""

    def to_json(self) -> dict[str, Any]:
        """The CLI / storage shape; confidences rounded so output is stable and readable."""
        out = asdict(self)
        out["confidence"] = {k: round(v, 4) for k, v in self.confidence.items()}
        return out
