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
from operator import itemgetter
from typing import Any

import ahocorasick

from nlp.normalize import normalize
from nlp.register import LETTER_MARKS
from nlp.urgency import CITY_REASON, URGENT_REASONS, Combination, Urgency, read_urgency


class Matcher:
    """Finds every keyword in a text, overlapping ones too, in one Aho-Corasick pass (in C).

    Why: one walk over the text costs the same whatever the lexicon size, and a fraction of
    testing candidate keywords one by one.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for kw in keywords:
            if kw:
                self._automaton.add_word(kw, kw)
        self._empty = len(self._automaton) == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, text: str) -> set[str]:
        """The distinct keywords present in `text`."""
        if self._empty:
            return set()
        return set(map(_second, self._automaton.iter(text)))


@dataclass(frozen=True)
class LabelLexicon:
    """Keywords per label (category or department id), with a single matcher over all of them."""

    keywords: dict[str, frozenset[str]]
    matcher: Matcher = field(compare=False, repr=False)
    labels_of: dict[str, tuple[str, ...]] = field(compare=False, repr=False)

    @classmethod
    def build(cls, keywords: Mapping[str, Iterable[str]]) -> LabelLexicon:
        kws = {label: frozenset(_norm_all(words)) for label, words in keywords.items()}
        labels_of: dict[str, list[str]] = {}
        for label, words in kws.items():
            for w in words:
                labels_of.setdefault(w, []).append(label)
        return cls(kws, Matcher(labels_of), {w: tuple(ls) for w, ls in labels_of.items()})

    def hits(self, text: str, found: Sequence[str] | None = None) -> dict[str, list[str]]:
        """label → keywords found (longest first); `found` = a Lexicon.scan() result to reuse."""
        if found is None:
            found = sorted(self.matcher.find(text), key=_longest_first)
        out: dict[str, list[str]] = {}
        get = self.labels_of.get
        for w in found:
            for label in get(w, ()):
                out.setdefault(label, []).append(w)
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
    matcher: Matcher = field(compare=False, repr=False)
    city_words: frozenset[str] = frozenset()
    # words the scan also reports for rules outside the lexicon (a letter's marks, nlp/register.py)
    also_found: frozenset[str] = frozenset()
    combination_words: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words = {w for combo in self.urgent_combinations for g in combo.group_sets for w in g}
        object.__setattr__(self, "combination_words", frozenset(words))

    def scan(self, text: str) -> list[str]:
        """Every keyword of every part in one pass (longest first); pass it to the *_hits methods."""
        return sorted(self.matcher.find(text), key=_longest_first)

    def urgency(self, text: str, found: Sequence[str] | None = None, letter: bool = False) -> Urgency:
        """Urgent or not, the danger reason, and the phrases that decided (nlp/urgency.py);
        `letter`: the text is a letter told after the events (register.letter_weight)."""
        if found is None:
            found = self.scan(text)
        # only the combinations' words matter there: a small set, often empty
        return read_urgency(text, self.urgent.hits(text, found), self.urgent_combinations,
                            self.combination_words.intersection(found), letter)

    def urgent_hits(self, text: str, found: Sequence[str] | None = None) -> list[str]:
        """The phrases that make `text` urgent ('+'-joined for a combination); [] if none."""
        return list(self.urgency(text, found).words)

    def misconduct_hits(self, text: str, found: Sequence[str] | None = None) -> list[str]:
        """Words that trigger the 'any demand for money, gifts or favours' rule."""
        return self.misconduct_rule.hits(text, found).get("misconduct", [])

    def tag_hits(self, text: str, found: Sequence[str] | None = None) -> list[str]:
        """Tags in the order the lexicon declares them."""
        hits = self.tags.hits(text, found)
        return [t for t in self.tags.keywords if t in hits]


_second = itemgetter(1)


def _longest_first(word: str) -> tuple[int, str]:
    return -len(word), word


def _norm_all(words: Iterable[str]) -> list[str]:
    """Keywords go through the same normalisation as texts, so 推諉 in config.toml still matches."""
    return [n for n in (normalize(w) for w in words) if n]


@lru_cache(maxsize=1)
def default_source() -> dict[str, Any]:
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
    combos = tuple(Combination(c["reason"], tuple(tuple(_norm_all(g)) for g in c["groups"]), c["window"])
                   for c in src["urgent"]["combinations"])
    urgent: dict[str, list[str]] = {r: list(src["urgent"].get(r, [])) for r in URGENT_REASONS}
    urgent[CITY_REASON].extend(urgent_keywords)
    parts = {
        "categories": LabelLexicon.build(_merge(src["categories"], category_keywords or {})),
        "departments": LabelLexicon.build(_merge(src["departments"], department_keywords or {})),
        "urgent": LabelLexicon.build(urgent),
        "misconduct_rule": LabelLexicon.build(src["rules"]),
        "tags": LabelLexicon.build(src["tags"]),
    }
    every = {w for part in parts.values() for words in part.keywords.values() for w in words}
    every.update(w for combo in combos for group in combo.groups for w in group)
    every.update(LETTER_MARKS)
    city = [w for extra in (department_keywords or {}, category_keywords or {})
            for words in extra.values() for w in words]
    return Lexicon(**parts, urgent_combinations=combos, matcher=Matcher(every),
                   city_words=frozenset(_norm_all(city)), also_found=frozenset(LETTER_MARKS))
