"""Reading labelled / unlabelled CSV files: one place for encodings, columns and their errors."""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


class DatasetError(Exception):
    """The CSV cannot be used as asked (missing file, missing column, bad labels)."""


def iter_rows(path: str | Path, required: Sequence[str] = ()) -> Iterator[dict[str, str]]:
    """Rows as dicts (UTF-8, optional BOM, quoted newlines); checks `required` columns first."""
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"no such CSV file: {p}")
    try:
        with p.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise DatasetError(f"{p}: missing column(s) {', '.join(missing)}; "
                                   f"columns are: {', '.join(header) or '(none)'}")
            for row in reader:
                yield {k: (v or "") for k, v in row.items() if k is not None}
    except UnicodeDecodeError as exc:
        raise DatasetError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except csv.Error as exc:
        raise DatasetError(f"{p}: malformed CSV ({exc})") from exc


def columns(path: str | Path) -> list[str]:
    """The header of a CSV file."""
    p = Path(path)
    if not p.is_file():
        raise DatasetError(f"no such CSV file: {p}")
    with p.open(encoding="utf-8-sig", newline="") as fh:
        return next(csv.reader(fh), [])


def read_labelled(path: str | Path, text_column: str, label_column: str) -> tuple[list[str], list[str]]:
    """Texts and labels; rows with an empty text or label are skipped (they teach nothing)."""
    texts: list[str] = []
    labels: list[str] = []
    for row in iter_rows(path, (text_column, label_column)):
        text, label = row[text_column].strip(), row[label_column].strip()
        if text and label:
            texts.append(text)
            labels.append(label)
    if not texts:
        raise DatasetError(f"{path}: no rows with both {text_column!r} and {label_column!r}")
    if len(texts) < 4:
        raise DatasetError(f"{path}: only {len(texts)} labelled rows; a model needs more")
    if len(set(labels)) < 2:
        raise DatasetError(f"{path}: column {label_column!r} has fewer than two distinct labels")
    return texts, labels
