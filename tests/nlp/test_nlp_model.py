"""The model artifact: exact TF-IDF, save/load, version checks and their messages."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from nlp.corpus import load_corpus
from nlp.errors import ModelIncompatible, ModelNotFound
from nlp.features import FeatureSpec
from nlp.model import META, corpus_files, default_dir, files_sha256, load
from nlp.normalize import normalize
from nlp.train import featurize, fit_vectors, train


@pytest.mark.parametrize("spec", [FeatureSpec(), FeatureSpec(3, 2, 3, 0.7, 1.0)])
def test_our_vectorizer_equals_scikit_learn(spec: FeatureSpec) -> None:
    examples = load_corpus()[:300]
    texts = [e.text for e in examples] + ["", "。。。", "abc 12345"]
    words, chars = featurize(texts, spec)
    x, _, _ = fit_vectors(words, chars, spec, 2)
    model = train(texts, {"category": [e.category for e in examples] + ["other"] * 3}, spec=spec)
    for i, text in enumerate(texts):
        idx, val = model.vectorize(normalize(text))
        row = np.zeros(x.shape[1], np.float32)
        row[idx] = val
        assert np.abs(row - x[i].toarray()[0]).max() < 1e-5


def test_save_load_roundtrip_predicts_alike(model_dir: Path, tmp_path: Path) -> None:
    model = load(model_dir)
    model.save(tmp_path / "copy")
    again = load(tmp_path / "copy")
    text = normalize("小区物业推诿扯皮，电梯坏了一个月")
    for field in ("category", "department", "urgent"):
        assert np.allclose(model.log_probs(text)[field], again.log_probs(text)[field])


def test_load_is_fast(model_dir: Path) -> None:
    started = time.perf_counter()
    load(model_dir)
    assert time.perf_counter() - started < 1.0


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="zhiyong nlp train --default"):
        load(tmp_path)


def test_other_format_is_incompatible(model_dir: Path, tmp_path: Path) -> None:
    load(model_dir).save(tmp_path)
    meta = json.loads((tmp_path / META).read_text(encoding="utf-8"))
    (tmp_path / META).write_text(json.dumps({**meta, "format": 0}), encoding="utf-8")
    with pytest.raises(ModelIncompatible, match="zhiyong nlp train --default"):
        load(tmp_path)


def test_changed_corpus_is_incompatible(model_dir: Path) -> None:
    with pytest.raises(ModelIncompatible, match="corpus changed"):
        load(model_dir, expect_corpus="0" * 64)


def test_shipped_model_matches_the_shipped_corpus() -> None:
    meta = json.loads((default_dir() / META).read_text(encoding="utf-8"))
    assert meta["corpus_sha256"] == files_sha256(corpus_files()), "run `zhiyong nlp train --default`"
    assert meta["heldout"]["category_macro_f1"] >= 0.80


def test_training_is_reproducible() -> None:
    examples = load_corpus()[:400]
    texts, labels = [e.text for e in examples], {"category": [e.category for e in examples]}
    a, b = train(texts, labels), train(texts, labels)
    assert np.array_equal(a.coef, b.coef) and a.heads == b.heads
