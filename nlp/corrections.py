"""The office's triage corrections as training examples (`nlp train --default --with-corrections`).

A correction labels one field of one complaint. Why fill the other fields from the shipped
model: the corpus needs all three labels per text, and the model's reading is what the office
saw and did not correct. The latest correction of a field wins (the office may change its mind).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from nlp.classification import Classification
from nlp.corpus import Example
from nlp.dataset import DatasetError
from nlp.taxonomy import CATEGORIES, DEPARTMENTS, TRIAGE

EXPORT_COLUMNS = ("text", "field", "new")    # of `zhiyong nlp corrections export`
TRAINABLE = {"category": set(CATEGORIES), "department": set(DEPARTMENTS) - {TRIAGE}}


@dataclass(frozen=True)
class Label:
    """One stored correction: the complaint text and the office's value for one field."""

    text: str
    field: str
    new: str


def read_export(path: Path) -> list[Label]:
    """The rows of an export file, oldest first; a file without its columns is a DatasetError."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except FileNotFoundError:
        raise DatasetError(f"no such corrections file: {path}") from None
    if rows and not set(EXPORT_COLUMNS) <= set(rows[0]):
        raise DatasetError(f"{path.name}: missing column(s); expected {', '.join(EXPORT_COLUMNS)}")
    return [Label(r["text"], r["field"], r["new"]) for r in rows]


def to_examples(labels: Iterable[Label], classify: Callable[[str], Classification]
                ) -> tuple[list[Example], int]:
    """(one Example per corrected text, how many labels were not trainable: unknown ids)."""
    per_text: dict[str, dict[str, str]] = {}
    skipped = 0
    for lab in labels:
        text = lab.text.strip()
        if not text or lab.new not in TRAINABLE.get(lab.field, set()):
            skipped += 1
            continue
        per_text.setdefault(text, {})[lab.field] = lab.new
    out = []
    for text, fields in per_text.items():
        seen = classify(text)
        out.append(Example(text, fields.get("category", seen.category),
                           fields.get("department", seen.department), str(int(seen.urgent))))
    return out, skipped


def merge(examples: list[Example], corrected: list[Example]) -> list[Example]:
    """The corpus with corrected texts relabelled (a correction beats the corpus' label)."""
    by_text = {e.text: e for e in corrected}
    kept = [e for e in examples if e.text not in by_text]
    return kept + list(by_text.values())
