"""Urgent = a present danger or a person without means today, read from the situation.

Why rules and not the model: urgent tickets get a 2-hour sign-for clock and bypass quiet hours,
so the flag must rest on a phrase a clerk can check ("楼道里有煤气味"), never on n-grams. The
model's probability only sets the confidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from nlp.situation import first_present, occurrences, whole_occurrences

# reasons with a life in danger now: the citizen is told to call the emergency number
DANGER_REASONS: tuple[str, ...] = ("fire", "gas", "medical", "police")
URGENT_REASONS: tuple[str, ...] = (*DANGER_REASONS, "hazard", "need")
CITY_REASON = "hazard"              # a city's extra urgent words: urgent, no emergency call
# a person without means, or a crime against someone, stays urgent however long it has lasted
CHRONIC_DOES_NOT_DISCOUNT = frozenset({"need", "police"})
# a story is told after the events (a long letter): an injury, an assault or a collapse it tells counts only
# where its sentence says it is now (现在, 正在, 随时 …); fire, gas and need words stay as they are
SAID_NOW_IN_STORIES = frozenset({"medical", "police", "hazard"})
REASON_NAMES = {"fire": "火情", "gas": "燃气/毒气", "medical": "人身伤病", "police": "人身安全",
                "hazard": "险情", "need": "生活无着"}


@dataclass(frozen=True)
class Combination:
    """Fires when every group has a word within `window` characters of the first group's word."""

    reason: str
    groups: tuple[tuple[str, ...], ...]
    window: int
    # as sets, so "does the letter hold a word of each group" walks the smaller side in C
    group_sets: tuple[frozenset[str], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "group_sets", tuple(frozenset(g) for g in self.groups))


@dataclass(frozen=True)
class Urgency:
    urgent: bool
    danger: str                     # "" or one of DANGER_REASONS
    evidence: tuple[str, ...]       # what made it urgent, or which mention did not count and why
    words: tuple[str, ...]          # the deciding words ('+'-joined for a combination)


_CALM = Urgency(False, "", (), ())


def read_urgency(text: str, hits: Mapping[str, Sequence[str]],
                 combinations: Sequence[Combination], present: frozenset[str],
                 story: bool = False) -> Urgency:
    """Urgency of normalised `text` from urgent keyword `hits` (reason → words, longest first).

    `present`: the keywords found in the text, at least those of the combinations; `story`: the
    text is a story told after the events (register.told_after).
    """
    if not hits and not present:
        return _CALM                                # most letters: no urgent word at all
    decided: list[tuple[int, str, str]] = []       # (rank, reason, phrase)
    discounted: list[str] = []
    for reason in URGENT_REASONS:
        for word in hits.get(reason, ()):
            pos, why = first_present(text, word, reason not in CHRONIC_DOES_NOT_DISCOUNT,
                                     story and reason in SAID_NOW_IN_STORIES)
            if pos >= 0:
                decided.append((URGENT_REASONS.index(reason), reason, word))
                break
            if why and len(discounted) < 2:
                discounted.append(f"「{word}」{why}，不计紧急")
    for combo in combinations if present else ():
        for group in combo.group_sets:
            if present.isdisjoint(group):
                break
        else:
            parts = _near(text, combo)
            if parts:
                decided.append((URGENT_REASONS.index(combo.reason), combo.reason, "+".join(parts)))
    if not decided:
        return Urgency(False, "", tuple(discounted), ())
    decided.sort()
    reason = decided[0][1]
    words = tuple(dict.fromkeys(p for _, _, p in decided))
    danger = reason if reason in DANGER_REASONS else ""
    note = f"紧急「{'、'.join(words[:3])}」({REASON_NAMES.get(reason, reason)})"
    return Urgency(True, danger, (note,), words)


def _near(text: str, combo: Combination) -> list[str] | None:
    """One word per group, all within the window, the last group's word (the situation) told as
    present: a long letter mentioning 老人 on page one and 没人管 on page three is not an
    elderly person without care."""
    # who (老人, 孩子) may sit inside a longer word (老人家, 孩子们); what happens may not (被打击)
    who, *what = combo.groups
    hits = [[(p, w) for w in who for p in occurrences(text, w)],
            *[[(p, w) for w in group for p in whole_occurrences(text, w)] for group in what]]
    if not all(hits):
        return None
    for start, first in hits[0]:
        chosen = [first]
        for group in hits[1:]:
            near = [(abs(p - start), w) for p, w in group if abs(p - start) <= combo.window]
            if not near:
                break
            chosen.append(min(near)[1])
        else:
            if first_present(text, chosen[-1], False)[0] >= 0:
                return chosen
    return None
