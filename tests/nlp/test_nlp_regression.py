"""Pins the held-out figures of the shipped corpus (model trained on the ~80 % split, full
pipeline scored on the ~20 % held out by text hash), and the readers' benchmark on real
messages when ../shared is present. Update the pins deliberately, to measured figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlp.corpus import load_corpus, split
from nlp.default import pipeline_metrics, summary
from nlp.model import load

# Measured 2026-12-04 (nlp/README.md). Urgent recall on the written corpus stays below its old
# 0.98: the situation rules no longer count danger words told as past or as prevention requests,
# nor a letter's injury that it does not say is now (real messages: 1.0 at 1.0 % flagged).
PINNED = {"category_macro_f1": 0.910, "department_accuracy": 0.920, "urgent_recall": 0.789,
          "urgent_precision": 0.775}
TOLERANCE = 0.03

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "teddy2020c"
# Measured on the dev set with `zhiyong nlp eval --labels … --texts …` (nlp/README.md).
REAL_PINNED = {"department_compatible": 0.914, "category_accuracy": 0.854, "conduct_f1": 0.797,
               "urgent_recall": 1.0}
MAX_FLAGGED = 0.06
# a conduct label stated as confirmed on a letter both readers called an ordinary request
MAX_CONFIDENT_CONDUCT_ON_OTHER = 4


@pytest.fixture(scope="module")
def heldout_figures(model_dir: Path) -> dict[str, float]:
    _, heldout = split(load_corpus())
    return summary(pipeline_metrics(load(model_dir), heldout))


@pytest.mark.parametrize("name", sorted(PINNED))
def test_heldout_figure_is_pinned(heldout_figures: dict[str, float], name: str) -> None:
    assert heldout_figures[name] >= PINNED[name] - TOLERANCE, heldout_figures


def test_split_is_deterministic_and_about_a_fifth() -> None:
    examples = load_corpus()
    train_a, held_a = split(examples)
    train_b, held_b = split(list(reversed(examples)))
    assert {e.text for e in held_a} == {e.text for e in held_b}
    assert 0.15 < len(held_a) / len(examples) < 0.25


@pytest.mark.skipif(not (DATA / "dev_labels.csv").is_file(), reason="../shared data absent")
def test_real_messages_benchmark_is_pinned() -> None:
    import nlp
    from nlp.realeval import load_judged, score

    judged = load_judged(DATA / "dev_labels.csv", DATA / "train.csv")
    clf = nlp.load_classifier()
    m = score(judged, [clf.classify(j.text) for j in judged])
    got = {"department_compatible": m["department_compatible"],
           "category_accuracy": m["category_accuracy"],
           "conduct_f1": m["conduct_vs_other"]["f1"], "urgent_recall": m["urgent"]["recall"]}
    for name, pin in REAL_PINNED.items():
        assert got[name] >= pin - TOLERANCE, (name, got)
    assert m["confident_conduct_on_other"] <= MAX_CONFIDENT_CONDUCT_ON_OTHER, m["confident_conduct_on_other"]
    assert m["urgent"]["flagged_share"] <= MAX_FLAGGED, m["urgent"]
