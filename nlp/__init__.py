"""nlp: classify a citizen's complaint into category, department, urgency and tags.

Public API:
    clf = load_classifier(model_dir=None, threshold=None, department_keywords=...,
                          category_keywords=..., urgent_keywords=...)   # once, at start
    clf.classify(text) -> Classification
configure()/classify()/current() are the older module-level form of the same thing.
"""

from __future__ import annotations

from nlp.api import classify, classify_many, configure, current, load_classifier
from nlp.classification import DANGER_CALLS, Classification
from nlp.classifier import Classifier
from nlp.errors import ModelError, ModelIncompatible, ModelNotFound

__all__ = [
    "DANGER_CALLS", "Classification", "Classifier", "ModelError", "ModelIncompatible",
    "ModelNotFound", "classify", "classify_many", "configure", "current", "load_classifier",
]
