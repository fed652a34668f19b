"""Entry points: `load_classifier(...)` builds a Classifier to inject; configure/classify/current
are the older module-level convenience kept until every caller injects one.

Why a factory: the composition root (bot/app.py, the CLI) decides the model and the city's
keywords and hands the Classifier to whoever needs it; nothing reads a module global.
Loaded model artifacts are shared per directory, so building several classifiers is cheap.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nlp.classification import Classification
from nlp.classifier import DEFAULT_CATEGORY_THRESHOLD, DEFAULT_THRESHOLD, Classifier
from nlp.lexicon import build_lexicon
from nlp.model import META, LinearModel, default_dir, load_default

_lock = threading.Lock()
_settings: dict[str, Any] = {}
_classifier: Classifier | None = None
_models: dict[tuple[str, int | None], LinearModel] = {}


def configure(*, model_dir: Path | None = None, threshold: float | None = None,
              department_keywords: Mapping[str, Sequence[str]] | None = None,
              category_keywords: Mapping[str, Sequence[str]] | None = None,
              urgent_keywords: Sequence[str] = ()) -> None:
    """Module-level settings for classify()/current(); prefer load_classifier() and injection."""
    global _classifier
    new = dict(model_dir=model_dir, threshold=threshold,
               department_keywords={k: list(v) for k, v in (department_keywords or {}).items()},
               category_keywords={k: list(v) for k, v in (category_keywords or {}).items()},
               urgent_keywords=list(urgent_keywords))
    with _lock:
        if new != _settings:
            _settings.clear()
            _settings.update(new)
            _classifier = None


def current() -> Classifier:
    """The classifier configure() described, built (and its model loaded) on first use."""
    global _classifier
    with _lock:
        if _classifier is None:
            _classifier = load_classifier(**_settings)
        return _classifier


def load_classifier(model_dir: Path | None = None, threshold: float | None = None,
                    department_keywords: Mapping[str, Sequence[str]] | None = None,
                    category_keywords: Mapping[str, Sequence[str]] | None = None,
                    urgent_keywords: Sequence[str] = (),
                    category_threshold: float | None = None) -> Classifier:
    """A ready Classifier: the model in `model_dir` (default: the shipped one, checked against the
    shipped corpus) and the built-in lexicon with the city's keywords ADDED.

    `threshold`: department confidence below it → supervision triage; `category_threshold`:
    category confidence below it → category_unconfirmed (待核定). Raises ModelError.
    """
    lexicon = build_lexicon(department_keywords, category_keywords, urgent_keywords)
    model = _load_model(model_dir)
    return Classifier(
        lexicon=lexicon, model=model,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        category_threshold=DEFAULT_CATEGORY_THRESHOLD if category_threshold is None else category_threshold)


def _load_model(model_dir: Path | None) -> LinearModel:
    """Loaded models are kept per directory (and meta.json mtime): re-configuring city keywords,
    or building many apps in one test run, does not reload the same artifact."""
    meta = (model_dir or default_dir()) / META
    key = (str(model_dir), meta.stat().st_mtime_ns if meta.exists() else None)
    if key not in _models:
        _models.clear()
        _models[key] = load_default(model_dir)
    return _models[key]


def classify(text: str) -> Classification:
    """Classify one complaint (Simplified or Traditional, any length)."""
    return current().classify(text)


def classify_many(texts: Iterable[str]) -> list[Classification]:
    """Classify several complaints with one classifier lookup."""
    clf = current()
    return [clf.classify(t) for t in texts]
