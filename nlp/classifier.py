"""Combines the statistical model, the lexicon and the rules into one Classification.

Why multiplicative: the model gives calibrated probabilities; each lexicon hit multiplies a
label's odds by exp(beta), so a city's own keyword can route to a unit the model never saw,
while one stray word cannot overturn a confident model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import numpy as np

from nlp.actors import actor_in, counts_as_conduct, official_told, refused
from nlp.classification import Classification
from nlp.lexicon import Lexicon
from nlp.normalize import normalize
from nlp.register import told_after
from nlp.situation import now_marker, span
from nlp.taxonomy import CATEGORIES, DEPARTMENTS, TRIAGE, display

DEFAULT_THRESHOLD = 0.35
LEXICON_BETA = 0.8          # log-odds added per distinct category keyword hit
DEPARTMENT_BETA = 2.0       # … per department keyword (unit names and objects are reliable)
MAX_HITS = 3                # more hits add no more evidence (long letters repeat words)
# Model and lexicon both count the same words, so their product is overconfident; 1.25 minimised
# the held-out log-loss of the combined category and department distributions.
POSTERIOR_TEMPERATURE = 1.25
OTHER = "other"             # the category that is not about conduct
RULE_CONFIDENCE = 0.9       # floor for decisions forced by a rule
LOG_FLOOR = float(np.log(1e-3))  # lowest model log-probability counted
CITY_BETA = 3.0             # log-odds per keyword a city added in config.toml: its own words decide
# the model alone makes a letter urgent only when it is this sure and no danger word was discounted
# as past or supposed (or the letter speaks of now: 今天, 现在, 正在 …); it never sets a danger
# reason (no phrase said which emergency)
URGENT_MODEL_PROBABILITY = 0.85
DEFAULT_CATEGORY_THRESHOLD = 0.6   # category confidence below this → category_unconfirmed (待核定)
# without a conduct phrase, the model must be at least this sure to keep a conduct label
# (always unconfirmed); below it the letter is an ordinary request for the office to check
MODEL_ONLY_CONDUCT = 0.7
# … lower when an official is named and what they said is told ("窗口的人说要等所长签字"): most
# conduct letters without a phrase are such stories; plain requests rarely report an answer
MODEL_ONLY_TOLD = 0.55


class ProbabilisticModel(Protocol):
    """What the classifier needs from a trained model (nlp/model.py)."""

    @property
    def heads(self) -> Mapping[str, Any]: ...

    def log_probs(self, text: str) -> dict[str, np.ndarray]: ...
    def explain(self, text: str, field: str, label: str, k: int = 3) -> list[str]: ...


class LabelSpace:
    """One field's labels: taxonomy ids first (they win ties), then the model's and the city's."""

    def __init__(self, order: Sequence[str], model_classes: Sequence[str], extra: Sequence[str]) -> None:
        self.labels: tuple[str, ...] = tuple(dict.fromkeys([*order, *model_classes, *sorted(extra)]))
        self.index = {label: i for i, label in enumerate(self.labels)}
        # a label the model never saw (a city's own unit) starts as an average one, not impossible
        self._unseen = [-math.log(max(len(model_classes), 2))]
        # per label, where its score is in [model log-probabilities…, the unseen label's score]
        where = {label: j for j, label in enumerate(model_classes)}
        self._gather = [where.get(label, len(model_classes)) for label in self.labels]

    def combine(self, log_probs: np.ndarray | None, hits: Mapping[str, Sequence[str]],
                beta: float, city: frozenset[str] = frozenset(),
                against: tuple[str, int] | None = None,
                bonus: Mapping[str, float] | None = None) -> list[float]:
        """Posterior ∝ model probability × exp(beta × keyword hits); uniform prior without a model.

        `against` = (label, n): n keyword hits count as evidence against that label.
        `bonus`: log-odds added to a label (a scope named in the title).
        """
        # plain floats: a handful of labels, where numpy's per-call cost would dominate
        if log_probs is None:
            scores = [0.0] * len(self.labels)
        else:
            floor = LOG_FLOOR
            model = [floor if floor > lp else lp for lp in log_probs.tolist()] + self._unseen
            scores = [model[j] for j in self._gather]
        index = self.index
        for label, words in hits.items():
            if city:
                scores[index[label]] += sum(CITY_BETA if w in city else beta for w in words[:MAX_HITS])
            else:
                scores[index[label]] += _beta_sums(beta)[min(len(words), MAX_HITS)]
        for label, b in (bonus or {}).items():
            scores[index[label]] += b
        if against is not None and against[1] and against[0] in index:
            scores[index[against[0]]] -= beta * min(against[1], MAX_HITS)
        top = max(scores)
        e = [math.exp((x - top) / POSTERIOR_TEMPERATURE) for x in scores]
        total = sum(e)
        return [x / total for x in e]


@dataclass
class Classifier:
    """Pure function of text once built: no I/O, no global state."""

    lexicon: Lexicon
    model: ProbabilisticModel | None = None
    threshold: float = DEFAULT_THRESHOLD
    category_threshold: float = DEFAULT_CATEGORY_THRESHOLD
    model_only_conduct: float = MODEL_ONLY_CONDUCT
    model_only_told: float = MODEL_ONLY_TOLD
    beta: float = LEXICON_BETA                  # category keywords
    department_beta: float = DEPARTMENT_BETA    # department keywords
    spaces: dict[str, LabelSpace] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        heads = self.model.heads if self.model is not None else {}

        def classes(name: str) -> tuple[str, ...]:
            return tuple(heads[name].classes) if name in heads else ()

        self.spaces = {
            "category": LabelSpace(CATEGORIES, classes("category"), list(self.lexicon.categories.keywords)),
            "department": LabelSpace(DEPARTMENTS, classes("department"),
                                     list(self.lexicon.departments.keywords)),
        }
        urgent = classes("urgent")
        self._urgent_col = urgent.index("1") if "1" in urgent else None

    def classify(self, text: str) -> Classification:
        norm = normalize(text)
        probs = self.model.log_probs(norm) if self.model is not None else {}
        evidence: list[str] = []
        found = self.lexicon.scan(norm)
        category, cat_conf, unconfirmed = self._category(norm, found, probs.get("category"), evidence)
        department, dep_conf, triaged = self._department(norm, found, probs.get("department"), evidence)
        urgent, danger, urg_conf = self._urgent(norm, found, probs.get("urgent"), evidence)
        return Classification(
            category=category, department=department, urgent=urgent,
            tags=self._tags(norm, found, category),
            confidence={"category": cat_conf, "department": dep_conf, "urgent": urg_conf},
            evidence=evidence, triaged=triaged, category_unconfirmed=unconfirmed, danger=danger,
        )

    def _category(self, norm: str, found: Sequence[str], log_probs: np.ndarray | None,
                  evidence: list[str]) -> tuple[str, float, bool]:
        """(category, confidence, unconfirmed). A conduct label needs a conduct phrase done by an
        official; the model alone never makes one confirmed."""
        raw = self.lexicon.categories.hits(norm, found)
        hits = _conduct_only(norm, raw, self.lexicon.city_words)
        dropped = [w for label, ws in raw.items() for w in ws if w not in hits.get(label, ())]
        if dropped:
            evidence.append(f"「{'、'.join(dropped[:3])}」说的是企业/他人的行为，不算公职人员行为")
        hits = _without_courtesy(hits)
        space = self.spaces["category"]
        dist = space.combine(log_probs, hits, self.beta, self.lexicon.city_words,
                             against=(OTHER, _conduct_words(hits)))
        # "I refused to pay 好处费" still reports the demand: no negation check for money; with a
        # 不敢为 phrase the money is the feared offender's (学校乱收费，局里睁一只眼闭一只眼)
        rule = [w for w in self.lexicon.misconduct_hits(norm, found)
                if counts_as_conduct(norm, w, check_negation=False) and not refused(norm, w)]
        if rule and ACTOR_FREE not in hits:
            evidence.append(f"规则「{'、'.join(rule[:3])}」→{display('misconduct')}")
            return "misconduct", max(dist[space.index["misconduct"]], RULE_CONFIDENCE), False
        best = _argmax(dist)
        label, conf = space.labels[best], dist[best]
        if label != OTHER and label not in hits and conf < self.category_threshold:
            best = _named_type(space, hits, dist, best)
            label, conf = space.labels[best], dist[best]
        if label != OTHER and not _conduct_words(hits) and conf < self.model_only_conduct and (
                conf < self.model_only_told or not official_told(norm)):
            # no phrase describes an official's conduct: an ordinary request, for the office to check
            evidence.append(f"未见公职人员行为的描述(模型倾向{display(label)} {conf:.2f})→{display(OTHER)}")
            return OTHER, dist[space.index[OTHER]], True
        self._explain(norm, "category", label, hits, log_probs is not None, evidence)
        unconfirmed = conf < self.category_threshold
        if unconfirmed:
            evidence.append(f"类别待核定(置信度{conf:.2f})")
        elif label != OTHER and label not in hits:
            # a conduct phrase of another type tipped it: the type is the model's guess
            unconfirmed = True
            evidence.append(f"类别待核定(无{display(label)}的词)")
        return label, conf, unconfirmed

    def _tags(self, norm: str, found: Sequence[str], category: str) -> list[str]:
        """Conduct tags only on a conduct category, and only for words an official's conduct
        supports (玩手机 at the desk is 脱岗 only where the text says so)."""
        hits = self.lexicon.tags.hits(norm, found)
        if not hits:
            return []           # most letters: no tag word at all
        tags = [t for t in self.lexicon.tags.keywords if t in hits]
        if category == OTHER:
            return [t for t in tags if t in NEUTRAL_TAGS]
        # the scan found every tag word the text holds: only those need the conduct test
        return [t for t in tags if t in NEUTRAL_TAGS or any(_conduct(norm, w) for w in hits[t])]

    def _department(self, norm: str, found: Sequence[str], log_probs: np.ndarray | None,
                    evidence: list[str]) -> tuple[str, float, bool]:
        hits = _longest(norm, self.lexicon.departments.hits(norm, found))
        hits = _without_addresses(norm, hits)
        passed = _passed_around(norm, hits)
        if passed:
            # several departments each saying it is another's job: the catalogue's answer is the
            # oversight office, whichever unit the letter names most
            names = "、".join(display(d) for d in hits if d != TRIAGE)
            evidence.append(f"{names}互相推诿(「{passed}」)→{display(TRIAGE)}")
            return TRIAGE, RULE_CONFIDENCE, False
        space = self.spaces["department"]
        # what the title or opening sentence names counts once more: the setting (学校旁边, 公交站
        #对面) is told later, the matter first, and a dispatcher reads the title
        title = _lead(norm)
        lead = {d: self.department_beta for d in
                self.lexicon.departments.hits(title, [w for w in found if w in title]) if d in hits}
        dist = space.combine(log_probs, hits, self.department_beta, self.lexicon.city_words, bonus=lead)
        best = _argmax(dist)
        covered = [space.index[d] for d in hits if d != TRIAGE]
        if space.labels[best] == TRIAGE and not hits.get(TRIAGE) and covered:
            # the catalogue covers the matter (a scope word was named): the office only gets what
            # no department's scope covers, not letters that merely address a leader
            best = max(covered, key=lambda i: dist[i])
            evidence.append(f"职责范围词→{display(space.labels[best])}，不转{display(TRIAGE)}")
        label, conf = space.labels[best], dist[best]
        self._explain(norm, "department", label, hits, log_probs is not None, evidence)
        if conf < self.threshold and label != TRIAGE:
            evidence.append(f"置信度{conf:.2f}<{self.threshold:.2f}→{display(TRIAGE)}分办")
            return TRIAGE, conf, True
        return label, conf, False

    def _urgent(self, norm: str, found: Sequence[str], log_probs: np.ndarray | None,
                evidence: list[str]) -> tuple[bool, str, float]:
        """(urgent, danger reason, confidence): decided by the situation rules alone."""
        reading = self.lexicon.urgency(norm, found, told_after(norm))
        evidence.extend(reading.evidence)
        known = log_probs is not None and self._urgent_col is not None
        p = float(np.exp(log_probs[self._urgent_col])) if known and log_probs is not None else 0.0
        if reading.urgent:
            return True, reading.danger, max(p, RULE_CONFIDENCE)
        if p >= URGENT_MODEL_PROBABILITY:
            # a danger word the situation rules discounted (past, prevention …) is not brought
            # back by the model, unless the letter says it is about now
            now = now_marker(norm)
            if now or not reading.evidence:
                words = self.model.explain(norm, "urgent", "1") if self.model is not None else []
                said = f"，「{now}」" if now else ""
                evidence.append(f"紧急(模型{p:.2f}{said}，{'、'.join(words)})")
                return True, "", p
        return False, "", max(1.0 - p, 0.5) if known else 0.5

    def _explain(self, norm: str, field: str, label: str, hits: Mapping[str, list[str]],
                 use_model: bool, evidence: list[str]) -> None:
        """Why `label`: its keywords; the model's strongest words only when no keyword decided
        (a clerk reads one reason, and ranking features costs a third of a classification)."""
        if hits.get(label):
            evidence.append(f"词「{'、'.join(hits[label][:3])}」→{display(label)}")
            return
        if use_model and self.model is not None:
            feats = self.model.explain(norm, field, label)
            if feats:
                evidence.append(f"模型「{'、'.join(feats)}」→{display(label)}")


ACTOR_FREE = "dare_not"      # the company is the feared offender there, not the actor
NEUTRAL_TAGS = frozenset({"欠薪", "安全隐患"})     # tags that describe the matter, not conduct


def _conduct_only(norm: str, hits: Mapping[str, list[str]], city: frozenset[str]) -> dict[str, list[str]]:
    """Conduct keywords that an official does (not a company) and that are not negated."""
    out: dict[str, list[str]] = {}
    for label, words in hits.items():
        if label in (OTHER, ACTOR_FREE):
            kept = words
        else:
            kept = [w for w in words if w in city or _conduct(norm, w)]
        if kept:
            out[label] = kept
    return out


# words of a polite request that close every kind of letter, an accusing one too ("…望您百忙之中
# 关心一下我们。谢谢！"): evidence of a plain request only when no official's conduct is told
COURTESY = frozenset({"谢谢", "能否", "呼吁", "请帮忙"})


def _without_courtesy(hits: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop the courtesy words from the `other` hits when a conduct phrase is present."""
    if OTHER not in hits or not _conduct_words(hits):
        return hits
    kept = [w for w in hits[OTHER] if w not in COURTESY]
    out = {label: ws for label, ws in hits.items() if label != OTHER}
    if kept:
        out[OTHER] = kept
    return out


# a department saying the matter is another's ("说找城管", "说是住建的事", "不归我们") — the
# pattern of a letter passed around between units
PASSED_ON = re.compile(r"说(?:找|要找|应该找|让我们找|去找|归)|说是[^，,。！？]{1,8}的(?:事|职责|问题)"
                       r"|不归|不是(?:我们|他们|自己)的|推给|轮流推|互相推")
MUTUAL = re.compile("轮流推|互相推")      # one phrase that tells the passing both ways
PASSED_AROUND_UNITS = 3     # distinct departments named before a letter counts as passed around


def _passed_around(norm: str, hits: Mapping[str, Sequence[str]]) -> str:
    """The passing-on phrase when at least three departments are named and an office passes it
    on ("城管说归交警"); a company or a platform passing it on (快递公司互相推, 平台说不是他们的) is
    not an office sending the citizen elsewhere."""
    if len([d for d in hits if d != TRIAGE]) < PASSED_AROUND_UNITS:
        return ""
    words = [w for d, ws in hits.items() if d != TRIAGE for w in ws]
    passes: list[str] = []
    for m in PASSED_ON.finditer(norm):
        before = span(norm, m.start(), 0).near_before
        actor = actor_in(before)
        if actor == "official" or (actor == "" and any(w in before for w in words)):
            passes += [m.group()] * (2 if MUTUAL.match(m.group()) else 1)
    # one office saying "not ours" is an answer; the letter is passed around when it happens twice
    return passes[0] if len(passes) >= 2 else ""


# a registered residence told as where someone lives or must apply ("户口所在地的社区办准生证"),
# not as the matter (落户, 迁户口): the police's 户口 scope word does not count there
RESIDENCE_WORDS = ("户口", "户籍")
AS_ADDRESS = "(?:所在地|所在的|地|在)"


def _without_addresses(norm: str, hits: dict[str, list[str]]) -> dict[str, list[str]]:
    """Drop 户口/户籍 when every occurrence of it is an address."""
    if not any(r in norm for r in RESIDENCE_WORDS):
        return hits                 # the usual case: neither word in the letter
    out: dict[str, list[str]] = {}
    for label, words in hits.items():
        kept = [w for w in words if w not in RESIDENCE_WORDS
                or norm.count(w) > len(re.findall(w + AS_ADDRESS, norm))]
        if kept:
            out[label] = kept
    return out


def _longest(norm: str, hits: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Drop a keyword whose every occurrence lies inside a longer keyword of another label:
    自来水 inside a city's 自来水公司 is that unit's name, not the housing bureau's water supply."""
    if len(hits) < 2:
        return dict(hits)
    out: dict[str, list[str]] = {}
    for label, ws in hits.items():
        others = [o for other, os_ in hits.items() if other != label for o in os_]
        kept = [w for w in ws if not any(len(o) > len(w) and w in o
                                         and norm.count(w) == norm.count(o) for o in others)]
        if kept:
            out[label] = kept
    return out


@lru_cache(maxsize=256)
def _conduct(norm: str, word: str) -> bool:
    """counts_as_conduct, memoised: the category, the rule and the tags ask about the same words."""
    return counts_as_conduct(norm, word)


# a conduct type one of the letter's phrases names replaces the model's unconfirmed guess of
# another type when it is at least this share as likely (held-out: 不想为 phrase, 不能为 guess)
NAMED_TYPE_SHARE = 0.5


def _named_type(space: LabelSpace, hits: Mapping[str, Sequence[str]], dist: list[float],
                best: int) -> int:
    """The most likely conduct type some phrase names, if close enough to `best`; else `best`."""
    named = [space.index[t] for t in hits if t != OTHER]
    if not named:
        return best
    alt = max(named, key=lambda i: dist[i])
    return alt if dist[alt] >= NAMED_TYPE_SHARE * dist[best] else best


def _argmax(values: list[float]) -> int:
    """Index of the first largest value (as numpy's argmax: the taxonomy's order breaks ties)."""
    return values.index(max(values))


@lru_cache(maxsize=8)
def _beta_sums(beta: float) -> tuple[float, ...]:
    """k keyword hits' log-odds, k = 0 … MAX_HITS, summed one by one as for a city's words."""
    return tuple(sum(beta for _ in range(k)) for k in range(MAX_HITS + 1))


def _conduct_words(hits: Mapping[str, Sequence[str]]) -> int:
    """Distinct conduct keywords (推诿, 不敢管 …): evidence the text is not a plain request."""
    return len({w for label, words in hits.items() if label != OTHER for w in words})


LEAD_CHARS = 30     # a message-board title, or the first clause of a letter
_SENTENCE_END = re.compile(r"[。！？!?；;]")
_GREETING = re.compile(r"^(?:尊敬的[^:：，,！!]{0,12}[:：，,！!]?|[^:：，,！!]{1,8}[:：])?\s*(?:您好|你好)?[！!，,。]?")


def _lead(norm: str) -> str:
    """The title or opening sentence after a salutation (at most LEAD_CHARS): where a letter
    says what it is about."""
    greeting = _GREETING.match(norm)
    rest = norm[greeting.end() if greeting else 0:][:LEAD_CHARS]
    end = _SENTENCE_END.search(rest)
    return rest[:end.start()] if end else rest
