"""Evaluation: accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any


def metrics(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """The `nlp eval --json` shape; labels are the union of true and predicted, sorted."""
    labels = sorted(set(y_true) | set(y_pred))
    pairs = Counter(zip(y_true, y_pred, strict=True))
    per_class: dict[str, dict[str, float]] = {}
    for label in labels:
        tp = pairs[(label, label)]
        support = sum(v for (t, _), v in pairs.items() if t == label)
        predicted = sum(v for (_, p), v in pairs.items() if p == label)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_class[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": support}
    scored = [c for c in per_class.values() if c["support"]]
    n = len(y_true)
    return {
        "n": n,
        "accuracy": round(sum(pairs[(x, x)] for x in labels) / n, 4) if n else 0.0,
        "macro_f1": round(sum(c["f1"] for c in scored) / len(scored), 4) if scored else 0.0,
        "per_class": per_class,
        "confusion": {"labels": labels,
                      "matrix": [[pairs[(t, p)] for p in labels] for t in labels]},
    }


def format_report(name: str, m: dict[str, Any]) -> str:
    """Human-readable report of metrics(): summary, per-class table, confusion matrix."""
    lines = [f"{name}: n={m['n']} accuracy={m['accuracy']:.4f} macro-F1={m['macro_f1']:.4f}",
             f"  {'label':<20} {'prec':>6} {'rec':>6} {'f1':>6} {'n':>5}"]
    for label, c in m["per_class"].items():
        lines.append(f"  {label:<20} {c['precision']:>6.3f} {c['recall']:>6.3f} {c['f1']:>6.3f} {c['support']:>5}")
    labels = m["confusion"]["labels"]
    lines.append("  confusion (rows = true, columns = predicted, in the label order above):")
    width = max(4, *(len(str(v)) + 1 for row in m["confusion"]["matrix"] for v in row))
    for label, row in zip(labels, m["confusion"]["matrix"], strict=True):
        lines.append(f"  {label:<20} " + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
