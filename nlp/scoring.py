"""`nlp eval`: score a classifier on a labelled CSV, with the pipeline or a raw model head.

Why two paths: the shipped model's fields (category/department/urgent) are judged through the
full pipeline (lexicon, rules, triage), since that is what the bot answers; any other label
column (a city's own tickets, Teddy's topics) is judged on the matching model head.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nlp.classifier import Classifier
from nlp.dataset import DatasetError, read_labelled
from nlp.evaluate import metrics
from nlp.normalize import normalize
from nlp.taxonomy import FIELDS

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f", ""}


def evaluate_csv(path: Path, text_column: str, label_column: str, clf: Classifier) -> dict[str, Any]:
    """metrics() of the classifier's predictions for `label_column` on the CSV."""
    texts, labels = read_labelled(path, text_column, label_column)
    model = clf.model
    heads = tuple(model.heads) if model is not None else ()
    if label_column in FIELDS and (label_column in heads or model is None):
        pred = [_field(clf, t, label_column) for t in texts]
        if label_column == "urgent":
            labels = [_bool_label(v) for v in labels]
    elif label_column in heads or len(heads) == 1:
        head = label_column if label_column in heads else heads[0]
        pred = [model.predict_label(normalize(t), head) for t in texts]  # type: ignore[union-attr]
    else:
        raise DatasetError(f"the model has no head for {label_column!r}; its heads are: "
                           f"{', '.join(heads) or '(none)'}")
    return metrics(labels, pred)


def _field(clf: Classifier, text: str, field: str) -> str:
    value = getattr(clf.classify(text), field)
    return str(int(value)) if isinstance(value, bool) else value


def _bool_label(value: str) -> str:
    v = value.strip().lower()
    if v in _TRUE:
        return "1"
    if v in _FALSE:
        return "0"
    raise DatasetError(f"urgent labels must be 0/1 or true/false, not {value!r}")
