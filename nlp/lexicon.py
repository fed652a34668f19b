"""Keyword lexicon: built-in defaults (lexicon_default.toml) plus a city's config.toml keywords.

Why substring matching on normalised text, not on tokens: a city's unit names (XX街道办) and
idioms (门难进脸难看) must match however jieba happens to cut them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from nlp.normalize import normalize

Combination = tuple[tuple[str, ...], ...]


class Matcher:
    """Finds every keyword occurring in a text; indexed by first character so cost ~ len(text)."""

    def __init__(self, keywords: Iterable[str]) -> None:
        self._by_first: dict[str, tuple[str, ...]] = {}
        grouped: dict[str, set[str]] = {}
        for kw in keywords:
            if kw:
                grouped.setdefault(kw[0], set()).add(kw)
        self._by_first = {ch: tuple(sorted(kws, key=len, reverse=True)) for ch, kws in grouped.items()}

    def find(self, text: str) -> set[str]:
        """The distinct keywords present in `text`."""
        found: set[str] = set()
        index = self._by_first
        for i, ch in enumerate(text):
            candidates = index.get(ch)
            if candidates:
                for kw in candidates:
                    if text.startswith(kw, i):
                        found.add(kw)
        return found


@dataclass(frozen=True)
class LabelLexicon:
    """Keywords per label (category or department id), with a single matcher over all of them."""

    keywords: dict[str, frozenset[str]]
    matcher: Matcher = field(compare=False, repr=False)

    @classmethod
    def build(cls, keywords: Mapping[str, Iterable[str]]) -> LabelLexicon:
        kws = {label: frozenset(_norm_all(words)) for label, words in keywords.items()}
        return cls(kws, Matcher(w for words in kws.values() for w in words))

    def hits(self, text: str) -> dict[str, list[str]]:
        """label → keywords found (longest first); labels without hits are absent."""
        found = self.matcher.find(text)
        out: dict[str, list[str]] = {}
        for label, words in self.keywords.items():
            mine = found & words
            if mine:
                out[label] = sorted(mine, key=lambda w: (-len(w), w))
        return out


@dataclass(frozen=True)
class Lexicon:
    """Everything keyword-based: categories, departments, urgent words/combinations, rules, tags."""

    categories: LabelLexicon
    departments: LabelLexicon
    urgent: LabelLexicon
    urgent_combinations: tuple[Combination, ...]
    misconduct_rule: LabelLexicon
    tags: LabelLexicon

    def urgent_hits(self, text: str) -> list[str]:
        """Urgent keywords found, plus '+'-joined evidence for every combination that fires."""
        words = self.urgent.hits(text).get("urgent", [])
        for combo in self.urgent_combinations:
            parts = [next((w for w in group if w in text), None) for group in combo]
            if all(parts):
                words.append("+".join(p for p in parts if p))
        return words

    def misconduct_hits(self, text: str) -> list[str]:
        """Words that trigger the 'any demand for money, gifts or favours' rule."""
        return self.misconduct_rule.hits(text).get("misconduct", [])

    def tag_hits(self, text: str) -> list[str]:
        """Tags in the order the lexicon declares them."""
        hits = self.tags.hits(text)
        return [t for t in self.tags.keywords if t in hits]


def _norm_all(words: Iterable[str]) -> list[str]:
    """Keywords go through the same normalisation as texts, so 推諉 in config.toml still matches."""
    return [n for n in (normalize(w) for w in words) if n]


@lru_cache(maxsize=1)
def default_source() -> dict:
    """The parsed built-in lexicon_default.toml (package data)."""
    raw = resources.files("nlp").joinpath("lexicon_default.toml").read_bytes()
    return tomllib.loads(raw.decode("utf-8"))


def _merge(base: Mapping[str, Sequence[str]], extra: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    out = {k: list(v) for k, v in base.items()}
    for label, words in extra.items():
        out.setdefault(label, []).extend(words)
    return out


def build_lexicon(
    department_keywords: Mapping[str, Sequence[str]] | None = None,
    category_keywords: Mapping[str, Sequence[str]] | None = None,
    urgent_keywords: Sequence[str] = (),
) -> Lexicon:
    """The built-in lexicon with a city's keywords ADDED (never replacing the defaults)."""
    src = default_source()
    combos = tuple(
        tuple(tuple(_norm_all(group)) for group in combo) for combo in src["urgent"]["combinations"]
    )
    return Lexicon(
        categories=LabelLexicon.build(_merge(src["categories"], category_keywords or {})),
        departments=LabelLexicon.build(_merge(src["departments"], department_keywords or {})),
        urgent=LabelLexicon.build({"urgent": [*src["urgent"]["keywords"], *urgent_keywords]}),
        urgent_combinations=combos,
        misconduct_rule=LabelLexicon.build(src["rules"]),
        tags=LabelLexicon.build(src["tags"]),
    )
