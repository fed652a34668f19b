"""`nlp eval --labels L --texts T`: the classifier judged the way two expert readers judged it.

Why a separate scorer: a readers' label file (ids, a department when both readers agreed, every
department either of them named, category and urgent when they agreed) is joined to a text file
by id, and each field is scored on the rows where the readers gave an answer. Department is
"compatible" when the prediction is one of the departments a reader named, "strict" when it is
the one both chose.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.classification import Classification
from nlp.dataset import DatasetError, iter_rows
from nlp.evaluate import metrics
from nlp.taxonomy import CATEGORIES

OTHER = "other"
LABEL_COLUMNS = ("department", "allowed_departments", "category", "urgent")


@dataclass(frozen=True)
class Judged:
    """One message with what the readers said (empty = they did not agree)."""

    id: str
    text: str
    department: str
    allowed: frozenset[str]
    category: str
    urgent: str


def load_judged(labels: Path, texts: Path, id_column: str = "id",
                text_column: str = "text") -> list[Judged]:
    """Label rows joined to their texts by id; a label id without a text is an error."""
    by_id = {r[id_column]: r[text_column] for r in iter_rows(texts, (id_column, text_column))}
    out: list[Judged] = []
    for row in iter_rows(labels, (id_column, *LABEL_COLUMNS)):
        key = row[id_column].strip()
        if key not in by_id:
            raise DatasetError(f"{labels}: id {key!r} has no row in {texts}")
        out.append(Judged(key, by_id[key], row["department"].strip(),
                          frozenset(row["allowed_departments"].split()),
                          row["category"].strip(), row["urgent"].strip()))
    if not out:
        raise DatasetError(f"{labels}: no label rows")
    return out


def _f1(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0, "support": tp + fn}


def score(judged: Sequence[Judged], results: Sequence[Classification]) -> dict[str, Any]:
    """Every figure of the readers' benchmark for predictions aligned with `judged`."""
    pairs = list(zip(judged, results, strict=True))
    dep_any = [(j, r) for j, r in pairs if j.allowed]
    dep_one = [(j, r) for j, r in pairs if j.department]
    cat = [(j, r) for j, r in pairs if j.category]
    urg = [(j, r) for j, r in pairs if j.urgent in ("0", "1")]

    def share(xs: Sequence[Any], ok: Callable[[Any], bool]) -> float:
        return round(sum(map(ok, xs)) / len(xs), 4) if xs else 0.0

    conduct = Counter((j.category != OTHER, r.category != OTHER) for j, r in cat)
    urgent = Counter((j.urgent == "1", r.urgent) for j, r in urg)
    return {
        "n": len(pairs),
        "department_compatible": share(dep_any, lambda p: p[1].department in p[0].allowed),
        "department_strict": share(dep_one, lambda p: p[1].department == p[0].department),
        "department": metrics([j.department for j, _ in dep_one], [r.department for _, r in dep_one]),
        "category_accuracy": share(cat, lambda p: p[1].category == p[0].category),
        "category": metrics([j.category for j, _ in cat], [r.category for _, r in cat]),
        "conduct_vs_other": _f1(conduct[(True, True)], conduct[(False, True)], conduct[(True, False)]),
        "category_unconfirmed_share": share(cat, lambda p: p[1].category_unconfirmed),
        "confident_conduct_on_other": sum(1 for j, r in cat if j.category == OTHER
                                          and r.category != OTHER and not r.category_unconfirmed),
        "urgent": {**_f1(urgent[(True, True)], urgent[(False, True)], urgent[(True, False)]),
                   "flagged_share": share(urg, lambda p: p[1].urgent)},
        "danger_share": share(pairs, lambda p: bool(p[1].danger)),
        "triaged_share": share(pairs, lambda p: p[1].triaged),
    }


def errors(judged: Sequence[Judged], results: Sequence[Classification], field: str) -> list[dict[str, Any]]:
    """The rows a field got wrong, for reading (never for copying into the corpus)."""
    out = []
    for j, r in zip(judged, results, strict=True):
        if field == "department" and j.allowed and r.department not in j.allowed:
            want = "/".join(sorted(j.allowed))
        elif field == "category" and j.category and r.category != j.category:
            want = j.category
        elif field == "urgent" and j.urgent in ("0", "1") and r.urgent != (j.urgent == "1"):
            want = j.urgent
        else:
            continue
        out.append({"id": j.id, "want": want, "got": getattr(r, field), "evidence": r.evidence,
                    "text": j.text})
    return out


def format_real_report(m: dict[str, Any]) -> str:
    """The benchmark as a clerk-readable table plus the category confusion matrix."""
    u, cv = m["urgent"], m["conduct_vs_other"]
    lines = [
        f"messages: {m['n']}",
        f"department compatible {m['department_compatible']:.3f}   strict {m['department_strict']:.3f}"
        f"   triaged {m['triaged_share']:.3f}",
        f"category accuracy     {m['category_accuracy']:.3f}   macro-F1 {m['category']['macro_f1']:.3f}"
        f"   unconfirmed {m['category_unconfirmed_share']:.3f}"
        f"   confident conduct on a plain request: {m['confident_conduct_on_other']}",
        f"conduct vs other      F1 {cv['f1']:.3f}   precision {cv['precision']:.3f}"
        f"   recall {cv['recall']:.3f}   (conduct n={cv['support']})",
        f"urgent                recall {u['recall']:.3f}   precision {u['precision']:.3f}"
        f"   flagged {u['flagged_share']:.3f}   (urgent n={u['support']}; danger {m['danger_share']:.3f})",
        "category confusion (rows = readers, columns = classifier):",
    ]
    lines.extend(_table(m["category"]["confusion"], CATEGORIES))
    lines.append("department confusion (rows = readers, columns = classifier; off-diagonal only):")
    conf = m["department"]["confusion"]
    labels = conf["labels"]
    for t, row in zip(labels, conf["matrix"], strict=True):
        wrong = [f"{labels[i]}:{v}" for i, v in enumerate(row) if v and labels[i] != t]
        if wrong:
            lines.append(f"  {t:<18} → " + ", ".join(wrong))
    return "\n".join(lines)


def _table(conf: dict[str, Any], order: Sequence[str]) -> list[str]:
    labels = [x for x in order if x in conf["labels"]] + [x for x in conf["labels"] if x not in order]
    pos = {x: i for i, x in enumerate(conf["labels"])}
    out = ["  " + " " * 12 + "".join(f"{x[:9]:>10}" for x in labels)]
    for t in labels:
        row = conf["matrix"][pos[t]]
        out.append(f"  {t:<12}" + "".join(f"{row[pos[p]]:>10}" for p in labels))
    return out
