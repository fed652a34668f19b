"""The shipped labelled corpus (nlp/corpus/*.csv) and its deterministic held-out split."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from nlp.dataset import DatasetError, iter_rows
from nlp.model import corpus_files
from nlp.normalize import converter, normalize
from nlp.taxonomy import CATEGORIES, DEPARTMENTS, FIELDS

HELDOUT_PERCENT = 20
COLUMNS = ("text", *FIELDS)


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    department: str
    urgent: str          # "0" / "1", a label like the others

    def label(self, field: str) -> str:
        return getattr(self, field)


def is_heldout(text: str) -> bool:
    """~20 % of examples, chosen by a hash of the normalised text: stable as files grow.

    The key is the text as tw2sp writes it (what normalize() gave before it left Simplified text
    alone), so the held-out rows stay the same ones and figures stay comparable."""
    key = converter().convert(normalize(text))
    digest = hashlib.md5(key.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:4], "big") % 100 < HELDOUT_PERCENT


def load_corpus(files: list[Path] | None = None) -> list[Example]:
    """Every valid row of the corpus files; unknown ids are an error naming file and line."""
    out: list[Example] = []
    seen: set[str] = set()
    for path in files if files is not None else corpus_files():
        for line, row in enumerate(iter_rows(path, COLUMNS), start=2):
            ex = _example(path, line, row)
            if ex is not None and ex.text not in seen:
                seen.add(ex.text)
                out.append(ex)
    if not out:
        raise DatasetError("the corpus is empty (nlp/corpus/*.csv)")
    return out


def _example(path: Path, line: int, row: dict[str, str]) -> Example | None:
    text = row["text"].strip()
    if not text:
        return None
    cat, dep, urg = (row[f].strip() for f in FIELDS)
    if cat not in CATEGORIES or dep not in DEPARTMENTS or urg not in ("0", "1"):
        raise DatasetError(f"{path.name}:{line}: bad labels {cat!r}, {dep!r}, {urg!r}")
    return Example(text, cat, dep, urg)


def split(examples: list[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held-out)."""
    train = [e for e in examples if not is_heldout(e.text)]
    held = [e for e in examples if is_heldout(e.text)]
    return train, held
