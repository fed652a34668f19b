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
from nlp.urgency import CITY_REASON, URGENT_REASONS, Combination, Urgency, read_urgency

# The 200 most frequent characters of the shipped corpus (normalised), most frequent first: the
# order in which Matcher enters first characters (see there)
FREQUENT_CHARS = (
    ',的我了。说一人不是在个们有要上问没里局来?家都请去年到区这工办就下保公医次能员'
    '天后老他出还开查小管道理多子业过经三月车时某报门口交x好学电可导每"领院地现大长'
    "务生打两市给中几已作村么所建以被:司费也证回看那'会十自部收发事明民用今法知和住"
    '政让话定税面户敬心通社等路本孩申着处只“”校想场尊房县题点‘’需把、找很对位名单'
    '又0外哪动窗直1反规水排检机同为补城但二手主什2复楼分期样料吗前结系环件服接己边'
)
_DEAD_END = "\uffff"     # a noncharacter after the dead-end entries' character (value "")


class Matcher:
    """Finds every keyword in a text, overlapping ones too, in one Aho-Corasick pass (in C).

    Why: one walk over the text costs the same whatever the lexicon size, and a fraction of
    testing candidate keywords one by one. pyahocorasick looks a character up among a node's
    children one by one, and the root has hundreds; so keywords are entered by how common their
    first character is, and a common character that starts none gets a dead-end entry (value
    "", dropped from the result) so that it, too, is found near the front: 40 % less time.
    """

    def __init__(self, keywords: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        by_first: dict[str, list[str]] = {}
        for kw in keywords:
            if kw:
                by_first.setdefault(kw[0], []).append(kw)
        self._empty = not by_first
        if self._empty:
            return
        # a node's children are kept in the order they were first entered
        entries: list[tuple[str, str]] = []
        for ch in FREQUENT_CHARS:
            entries += [(kw, kw) for kw in by_first.pop(ch, ())] or [(ch + _DEAD_END, "")]
        entries += [(kw, kw) for words in by_first.values() for kw in words]
        for word, value in entries:
            self._automaton.add_word(word, value)
        self._automaton.make_automaton()

    def find(self, text: str) -> set[str]:
        """The distinct keywords present in `text`."""
        if self._empty:
            return set()
        found = set(map(_second, self._automaton.iter(text)))
        found.discard("")
        return found


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
            found = _longest_first(self.matcher.find(text))
        elif self.labels_of.keys().isdisjoint(found):
            return {}       # most parts have no word in most texts: one test in C
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
    combination_words: frozenset[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        words = {w for combo in self.urgent_combinations for g in combo.group_sets for w in g}
        object.__setattr__(self, "combination_words", frozenset(words))

    def scan(self, text: str) -> list[str]:
        """Every keyword of every part in one pass (longest first); pass it to the *_hits methods."""
        return _longest_first(self.matcher.find(text))

    def urgency(self, text: str, found: Sequence[str] | None = None, story: bool = False) -> Urgency:
        """Urgent or not, the danger reason, and the phrases that decided (nlp/urgency.py);
        `story`: the text is a story told after the events (register.told_after)."""
        if found is None:
            found = self.scan(text)
        # only the combinations' words matter there: a small set, often empty
        return read_urgency(text, self.urgent.hits(text, found), self.urgent_combinations,
                            self.combination_words.intersection(found), story)

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


def _longest_first(words: set[str]) -> list[str]:
    """Longest first, then in code point order: sorted by (-len, word), without a Python key
    call per word (a stable sort by length after a plain sort)."""
    out = sorted(words)
    out.sort(key=len, reverse=True)
    return out


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
    city = [w for extra in (department_keywords or {}, category_keywords or {})
            for words in extra.values() for w in words]
    return Lexicon(**parts, urgent_combinations=combos, matcher=Matcher(every),
                   city_words=frozenset(_norm_all(city)))
