"""The result of classifying one complaint: what the bot stores and staff read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Classification:
    """Category, department, urgency and tags, each decision with a confidence and its evidence."""

    category: str
    department: str
    urgent: bool
    tags: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)
    evidence: list[str] = field(default_factory=list)
    triaged: bool = False

    def to_json(self) -> dict[str, Any]:
        """The CLI / storage shape; confidences rounded so output is stable and readable."""
        out = asdict(self)
        out["confidence"] = {k: round(v, 4) for k, v in self.confidence.items()}
        return out
