"""Combines the statistical model, the lexicon and the rules into one Classification.

Why multiplicative: the model gives calibrated probabilities; each lexicon hit multiplies a
label's odds by exp(beta), so a city's own keyword can route to a unit the model never saw,
while one stray word cannot overturn a confident model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from nlp.classification import Classification
from nlp.lexicon import Lexicon
from nlp.normalize import normalize
from nlp.taxonomy import CATEGORIES, DEPARTMENTS, TRIAGE

DEFAULT_THRESHOLD = 0.35
LEXICON_BETA = 1.0          # log-odds added per distinct keyword hit
MAX_HITS = 3                # more hits add no more evidence (long letters repeat words)
RULE_CONFIDENCE = 0.9       # floor for decisions forced by a rule
FLOOR = 1e-3                # prior for labels the model does not know (a city's own unit)


class ProbabilisticModel:
    """What the classifier needs from a trained model (see nlp/model.py)."""

    fields: tuple[str, ...]

    def predict(self, text: str) -> dict[str, dict[str, float]]: ...  # pragma: no cover
    def explain(self, text: str, field: str, label: str, k: int = 3) -> list[str]: ...  # pragma: no cover


@dataclass
class Classifier:
    """Pure function of text once built: no I/O, no global state."""

    lexicon: Lexicon
    model: ProbabilisticModel | None = None
    threshold: float = DEFAULT_THRESHOLD
    beta: float = LEXICON_BETA

    def classify(self, text: str) -> Classification:
        norm = normalize(text)
        probs = self.model.predict(norm) if self.model is not None else {}
        evidence: list[str] = []
        category, cat_conf = self._category(norm, probs.get("category"), evidence)
        department, dep_conf, triaged = self._department(norm, probs.get("department"), evidence)
        urgent, urg_conf = self._urgent(norm, probs.get("urgent"), evidence)
        return Classification(
            category=category, department=department, urgent=urgent,
            tags=self.lexicon.tag_hits(norm),
            confidence={"category": cat_conf, "department": dep_conf, "urgent": urg_conf},
            evidence=evidence, triaged=triaged,
        )

    def _category(self, norm: str, model: Mapping[str, float] | None,
                  evidence: list[str]) -> tuple[str, float]:
        hits = self.lexicon.categories.hits(norm)
        dist = combine(model, hits, CATEGORIES, self.beta)
        rule = self.lexicon.misconduct_hits(norm)
        if rule:
            evidence.append(f"规则「{'、'.join(rule[:3])}」→misconduct")
            return "misconduct", max(dist.get("misconduct", 0.0), RULE_CONFIDENCE)
        label = argmax(dist, CATEGORIES)
        self._explain(norm, "category", label, hits, model, evidence)
        return label, dist[label]

    def _department(self, norm: str, model: Mapping[str, float] | None,
                    evidence: list[str]) -> tuple[str, float, bool]:
        hits = self.lexicon.departments.hits(norm)
        dist = combine(model, hits, (*DEPARTMENTS, *self.lexicon.departments.keywords), self.beta)
        label = argmax(dist, DEPARTMENTS)
        conf = dist[label]
        self._explain(norm, "department", label, hits, model, evidence)
        if conf < self.threshold and label != TRIAGE:
            evidence.append(f"置信度{conf:.2f}<{self.threshold:.2f}→{TRIAGE}")
            return TRIAGE, conf, True
        return label, conf, False

    def _urgent(self, norm: str, model: Mapping[str, float] | None,
                evidence: list[str]) -> tuple[bool, float]:
        words = self.lexicon.urgent_hits(norm)
        p = model.get("1", 0.0) if model else 0.0
        if words:
            evidence.append(f"紧急「{'、'.join(words[:3])}」")
            return True, max(p, RULE_CONFIDENCE)
        if model and p >= 0.5:
            self._explain(norm, "urgent", "1", {}, model, evidence)
            return True, p
        return False, (1.0 - p) if model else 0.5

    def _explain(self, norm: str, field: str, label: str, hits: Mapping[str, list[str]],
                 model: Mapping[str, float] | None, evidence: list[str]) -> None:
        """Why `label`: its keywords, then the model's strongest features for it."""
        if hits.get(label):
            evidence.append(f"词「{'、'.join(hits[label][:3])}」→{label}")
        if model is not None and self.model is not None:
            feats = self.model.explain(norm, field, label)
            if feats:
                evidence.append(f"模型「{'、'.join(feats)}」→{label}")


def combine(model: Mapping[str, float] | None, hits: Mapping[str, Sequence[str]],
            labels: Sequence[str], beta: float) -> dict[str, float]:
    """Posterior ∝ model probability × exp(beta × keyword hits); uniform prior without a model."""
    scores: dict[str, float] = {}
    for label in dict.fromkeys(labels):
        prior = (model.get(label, FLOOR) if model else 1.0) or FLOOR
        scores[label] = math.log(prior) + beta * min(len(hits.get(label, ())), MAX_HITS)
    top = max(scores.values())
    exp = {k: math.exp(v - top) for k, v in scores.items()}
    total = sum(exp.values())
    return {k: v / total for k, v in exp.items()}


def argmax(dist: Mapping[str, float], order: Sequence[str]) -> str:
    """Highest probability; ties go to the earlier taxonomy id, then to extra labels by name."""
    rank = {label: i for i, label in enumerate(order)}
    return max(dist, key=lambda k: (dist[k], -rank.get(k, len(rank)), k))
