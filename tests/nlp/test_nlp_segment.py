"""Segmentation: the domain dictionary holds, and jieba and rjieba cut the corpus alike."""

from __future__ import annotations

import pytest

from nlp.corpus import load_corpus
from nlp.normalize import normalize
from nlp.segment import _HAN, _RUNS, cutter, tokens


@pytest.mark.parametrize("word", ["推诿扯皮", "吃拿卡要", "门难进脸难看", "玻璃门", "踢皮球", "低保", "欠薪", "物业"])
def test_user_dictionary_words_stay_whole(word: str) -> None:
    assert word in tokens(normalize(f"他们{word}了好几次"), "jieba")
    assert word in tokens(normalize(f"他们{word}了好几次"), "rjieba")


def test_punctuation_is_dropped_and_latin_runs_kept() -> None:
    assert tokens("打了12345热线,说app坏了!!") == ["打", "了", "12345", "热线", "说", "app", "坏", "了"]


def test_jieba_and_rjieba_give_the_same_tokens_on_the_corpus() -> None:
    texts = [normalize(e.text) for e in load_corpus()]
    diff = [t for t in texts if tokens(t, "jieba") != tokens(t, "rjieba")]
    assert not diff, diff[:3]


def _cut_each_run(text: str, engine: str) -> list[str]:
    out: list[str] = []
    for run in _RUNS.findall(text):
        out.extend(cutter(engine)(run) if run[0] >= _HAN else [run])
    return out


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
def test_one_cut_per_text_cuts_every_run_as_alone(engine: str) -> None:
    texts = [normalize(e.text) for e in load_corpus()[:400]]
    texts += ["打了12345热线,说app坏了!!", "3.5万元a.b。", "\x01中文,a\x01", "", "，。"]
    assert [tokens(t, engine) for t in texts] == [_cut_each_run(t, engine) for t in texts]
