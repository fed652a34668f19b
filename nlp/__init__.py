"""nlp: classify a citizen's complaint into category, department, urgency and tags.

Public API (the bot calls exactly this):
    configure(model_dir=..., threshold=..., department_keywords=..., category_keywords=...,
              urgent_keywords=...)   # once, from config.toml
    classify(text) -> Classification
"""

from __future__ import annotations

from nlp.api import classify, classify_many, configure, current
from nlp.classification import Classification
from nlp.errors import ModelError, ModelIncompatible, ModelNotFound

__all__ = [
    "Classification", "ModelError", "ModelIncompatible", "ModelNotFound",
    "classify", "classify_many", "configure", "current",
]
