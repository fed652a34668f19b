"""Reading the situation around a word: is it happening now, to someone, or only mentioned?

Why: real letters mention danger words all the time without a present danger — a fire last
year, a request for fire hydrants "to prevent fires", "if the house collapses", "there is no gas
smell any more", a leak that has dripped for three years. A word counts for urgency only in a
sentence that describes it as present; `why_not(...)` names the reason when it does not, so the
evidence can say so.

Everything works on normalised text (Simplified, half-width, lower-case) with plain substring
searches: a sentence is the text between 。！？；!?; or a line break, a clause also ends at a comma.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from typing import NamedTuple

from nlp.segment import whole_word

SENTENCE_END = re.compile(r"[。！？；!?;\n]")
CLAUSE_END = re.compile(r"[。！？；!?;\n，,、：:]")
LOOKBACK = 30               # characters of the sentence before a word that set its tense/mood

PAST = ("去年", "前年", "前些年", "那年", "当年", "早年", "往年", "以往", "曾经", "曾", "以前",
        "之前", "上次", "上回", "那次", "年前", "月前", "过去", "昨天", "昨晚", "前天", "上周",
        "上个月", "发生过", "出过", "历史上", "小时候", "前一晚", "那天", "当天", "当晚", "事发")
# a dated event told earlier in the letter ("2014年6月11日…", "4月26日下午") is a story of the
# past, unless the word's own sentence brings it back to now
DATED = re.compile(r"\d{2,4}年\d{1,2}月|\d{1,2}月\d{1,2}[日号]|\d{1,2}月(?:份|初|中旬|底|下旬|上旬)"
                   r"|(?:19|20)\d\d[/.-]\d{1,2}[/.-]\d{1,2}")
# a present marker after the past one brings the sentence back to now ("去年…现在又…")
PRESENT = ("现在", "目前", "正在", "此刻", "刚才", "刚刚", "马上", "随时", "还在", "仍在", "又",
           "今天", "今晚", "此时", "眼下", "至今", "到现在", "如今", "仍然", "依然", "还是", "继续", "等着")
HYPOTHETICAL = ("如果", "万一", "一旦", "假如", "假设", "若是", "要是", "倘若", "如若", "以免",
                "防止", "预防", "避免", "防范", "隐患", "消防栓", "消火栓", "灭火器", "消防设施",
                "演练", "会不会", "是否", "担心", "担忧", "恐怕", "可能", "容易", "引发", "酿成",
                "易发", "将会", "就会", "有可能", "防火", "消防宣传", "安全教育", "消防培训", "以防",
                "否则", "不然", "迟早", "总有一天", "生怕", "怕出",
                # what a pollutant or a hazard does in general ("危害：…引起咳嗽、呼吸困难")
                "危害", "引起", "表现为", "致癌", "会导致", "会造成", "会使")
NEGATION = ("没有", "没", "未", "无", "并非", "不是", "不会", "不再", "已经排除", "排除")
# a word used as a figure of speech ("乱收费压得老百姓喘不过气来"), not a body in distress
FIGURATIVE = ("压得", "压的", "压着", "逼得", "逼的")
# what brings a later clause of the sentence back to now ("去年着过火，现在又冒烟了"): not 又, 还是,
# 继续 …, which there mostly go on with the story ("…起火，又致电开发商")
STRONG_PRESENT = tuple(w for w in PRESENT if w not in ("又", "仍然", "依然", "还是", "继续", "等着"))
CHRONIC = ("长期", "常年", "多年", "经常", "每天", "每日", "每晚", "每年", "天天", "几年", "好几年", "一年多",
           "几个月", "时常", "频繁", "反复", "多次", "一直以来", "年年", "老是", "总是")
# the letter is written about now and asks for action now (for the model-backed urgent path)
NOW = ("今天", "现在", "刚才", "刚刚", "正在", "马上", "此刻", "今晚", "今早", "眼下", "还在",
       "赶紧", "赶快", "立刻", "快来", "求救", "救救")
QUESTION_AFTER = ("吗", "么", "与否")
# past events reported as such: 发生起火事件, 火灾事故 are news of a past event
EVENT_AFTER = ("事件", "事故", "过一次", "过几次", "过两次", "的时候")

PAST_EVIDENCE, HYPOTHETICAL_EVIDENCE, NEGATED_EVIDENCE, CHRONIC_EVIDENCE, FIGURATIVE_EVIDENCE = (
    "过去的事", "假设或预防", "已否定", "长期问题", "比喻说法")
UNSAID_NOW_EVIDENCE = "信中未说是眼下的事"


class Span(NamedTuple):
    """The sentence and clause around one occurrence of a word (a tuple: built several times a
    text, where a frozen dataclass's __init__ costs three times as much)."""

    before: str          # sentence text before the word, at most LOOKBACK characters
    after: str           # clause text after the word
    near_before: str     # clause text before the word
    rest: str            # sentence text after the word


def span(text: str, start: int, length: int) -> Span:
    """The context of text[start:start+length]."""
    sentences, clauses = _ends(text)
    k = bisect_left(sentences, start)
    s_start = sentences[k - 1] + 1 if k else 0
    k = bisect_left(clauses, start)
    c_start = clauses[k - 1] + 1 if k else 0     # a sentence end ends a clause too
    end = start + length
    k = bisect_left(clauses, end)
    c_end = clauses[k] if k < len(clauses) else len(text)
    k = bisect_left(sentences, end)
    s_end = sentences[k] if k < len(sentences) else len(text)
    return Span(text[max(s_start, start - LOOKBACK):start], text[end:c_end], text[c_start:start],
                text[end:s_end])


@lru_cache(maxsize=4)
def _ends(text: str) -> tuple[list[int], list[int]]:
    """Where the sentences and the clauses of `text` end (cached: the rules ask for many spans
    of the same text)."""
    return ([m.start() for m in SENTENCE_END.finditer(text)],
            [m.start() for m in CLAUSE_END.finditer(text)])


@lru_cache(maxsize=32)
def first_date(text: str) -> int:
    """Where the first dated event of the letter is told, or -1 (cached: asked once per word)."""
    if "月" not in text and "/" not in text and "." not in text and "-" not in text:
        return -1
    m = DATED.search(text)
    return m.start() if m else -1


def _last(hay: str, words: tuple[str, ...], any_of: re.Pattern[str]) -> int:
    """Where the last of `words` starts in `hay`, or -1; `any_of` (_any_of(words)) first tells
    whether there is one at all (most sentences hold none)."""
    if any_of.search(hay) is None:
        return -1
    return max((hay.rfind(w) for w in words), default=-1)


def why_not(text: str, start: int, length: int, chronic_matters: bool = True,
            said_now: bool = False) -> str:
    """"" when the word at `start` describes something present, else why not (for evidence).

    `said_now`: the sentence must say it is now (现在, 正在, 随时 …), as a letter written after
    the events does when something is still going on."""
    sp = span(text, start, length)
    if _PRESENT.search(text, start, start + length):
        return ""                                    # 还在施工, 正在冒烟: present by itself
    if any(sp.near_before.endswith(n) or sp.near_before[-4:].find(n) >= 0 for n in NEGATION):
        return NEGATED_EVIDENCE
    if _HYPOTHETICAL.search(sp.before) or any(sp.after.startswith(w) or w in sp.after[:6]
                                              for w in QUESTION_AFTER):
        return HYPOTHETICAL_EVIDENCE
    if _FIGURATIVE.search(sp.near_before):
        return FIGURATIVE_EVIDENCE
    now = _PRESENT.search(sp.after) is not None or _STRONG_PRESENT.search(_next_clause(sp)) is not None
    past = _last(sp.before, PAST, _PAST)
    if past >= 0 and _last(sp.before, PRESENT, _PRESENT) < past and not now:
        return PAST_EVIDENCE
    if not now and _last(sp.before, PRESENT, _PRESENT) < 0 and 0 <= first_date(text) < start:
        return PAST_EVIDENCE
    if any(sp.after.startswith(w) or w in sp.after[:4] for w in EVENT_AFTER):
        return PAST_EVIDENCE
    if chronic_matters and (_CHRONIC.search(sp.before) or _CHRONIC.search(sp.after)):
        return CHRONIC_EVIDENCE
    if said_now and not now and _PRESENT.search(sp.before) is None:
        return UNSAID_NOW_EVIDENCE
    return ""


def _next_clause(sp: Span) -> str:
    """The clause after the word's own, in the same sentence: "去年着过火，现在又冒烟了" is back to
    now; "去年父亲病危住院，花了十几万，现在想问…" is the writer's now, not the event's."""
    rest = sp.rest[len(sp.after) + 1:]
    end = CLAUSE_END.search(rest)
    return rest[:end.start()] if end else rest


def occurrences(text: str, word: str) -> list[int]:
    """Every start position of `word` in `text`."""
    out, i = [], text.find(word)
    while i >= 0:
        out.append(i)
        i = text.find(word, i + 1)
    return out


def whole_occurrences(text: str, word: str) -> list[int]:
    """Every start of `word` where it is a word of its own, not part of others (贫困人口 holds
    no 困人)."""
    return [p for p in occurrences(text, word) if whole_word(text, p, p + len(word))]


def first_present(text: str, word: str, chronic_matters: bool = True,
                  said_now: bool = False) -> tuple[int, str]:
    """(position of the first present occurrence or -1, why the first one is not present);
    only occurrences that are words of their own count."""
    reason = ""
    for pos in whole_occurrences(text, word):
        why = why_not(text, pos, len(word), chronic_matters, said_now)
        if not why:
            return pos, ""
        reason = reason or why
    return -1, reason


def all_supposed(spans: list[Span]) -> bool:
    """Every occurrence of a word (its spans) is a question or a supposition in its own clause
    ("是否存在乱收费？", "如果推诿…"); a 是否 in an earlier clause ("我询问是否可以办理，他态度十分
    嚣张") does not count."""
    return all(map(_supposed, spans))


# a conduct word only asked about: "这是不是乱收费呢？", "有没有吃拿卡要？"
ASKED_BEFORE = ("是不是", "有没有", "算不算")
ASKED_AFTER = (*QUESTION_AFTER, "呢")


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """"Does the text hold one of `words`" as one regex search: about ten times faster than a
    substring test per word on these lists of 20-50 words."""
    return re.compile("|".join(map(re.escape, words)))


_PRESENT, _HYPOTHETICAL, _CHRONIC = _any_of(PRESENT), _any_of(HYPOTHETICAL), _any_of(CHRONIC)
_SUPPOSED_BEFORE = _any_of((*HYPOTHETICAL, *ASKED_BEFORE))
_PAST = _any_of(PAST)
_FIGURATIVE, _STRONG_PRESENT = _any_of(FIGURATIVE), _any_of(STRONG_PRESENT)


def _supposed(sp: Span) -> bool:
    return (_SUPPOSED_BEFORE.search(sp.near_before) is not None
            or any(sp.after.startswith(w) or w in sp.after[:6] for w in ASKED_AFTER))


def now_marker(text: str) -> str:
    """The first word saying the letter is about now and wants action now, or ""."""
    return next((w for w in NOW if w in text), "")


def negated(text: str, start: int) -> bool:
    """The clause right before `start` negates what follows (没有/未/拒绝 … 送礼)."""
    return negated_clause(span(text, start, 0).near_before)


def negated_clause(before: str) -> bool:
    """negated() for the clause text before the word."""
    clause = before[-4:]
    return any(clause.endswith(n) for n in ("没有", "没", "未", "拒绝", "不用", "无需", "不需要",
                                             "从不", "从没", "并未", "不收"))
