"""Training: TF-IDF (jieba words + char n-grams) → a linear model per field, exported as LinearModel.

Why LinearSVC (or logistic regression) + a fitted temperature: they are the strongest linear
text classifiers here, and a single softmax temperature fitted on out-of-fold scores turns their
margins into probabilities the triage threshold can trust, without CalibratedClassifierCV's
extra models. Both give the same (coef, intercept) layout, so inference does not change.
"""

from __future__ import annotations

import os
import platform
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from nlp.dataset import read_labelled
from nlp.features import FeatureSpec, char_features, extract, word_features
from nlp.model import Head, LinearModel, files_sha256
from nlp.normalize import normalize
from nlp.segment import tokens
from nlp.vectorize import Vectorizer

C_GRID = (0.3, 1.0)
TEMPERATURES = np.geomspace(0.02, 5.0, 80)


@dataclass(frozen=True)
class HeadConfig:
    """How one field is trained: C candidates (tuned by CV when several) and class weighting."""

    c_grid: tuple[float, ...] = C_GRID
    balanced: bool = False
    folds: int = 3
    logistic: bool = False      # LogisticRegression instead of LinearSVC


def _identity(feats: list[str]) -> list[str]:
    return feats


def _vectorizer(min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=_identity, sublinear_tf=True, min_df=min_df, dtype=np.float32)


def featurize(texts: Sequence[str], spec: FeatureSpec) -> tuple[list[list[str]], list[list[str]]]:
    """Normalise and extract word and char features once for all heads and CV folds."""
    pairs = [extract(normalize(t), spec) for t in texts]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def fit_vectors(words: Iterable[list[str]], chars: Iterable[list[str]], spec: FeatureSpec,
                min_df: int) -> tuple[sp.csr_matrix, TfidfVectorizer, TfidfVectorizer]:
    """Fitted vectorizers and the weighted, stacked training matrix (iterables are consumed once,
    so generators keep millions of n-gram strings out of memory on large sets)."""
    wv, cv = _vectorizer(min_df), _vectorizer(min_df)
    xw, xc = wv.fit_transform(words), cv.fit_transform(chars)
    x = sp.hstack([xw * spec.word_weight, xc * spec.char_weight], format="csr", dtype=np.float32)
    return x, wv, cv


def _estimator(c: float, cfg: HeadConfig) -> LinearSVC | LogisticRegression:
    weight = "balanced" if cfg.balanced else None
    if cfg.logistic:
        return LogisticRegression(C=c, class_weight=weight, max_iter=2000, tol=1e-4)
    return LinearSVC(C=c, class_weight=weight, max_iter=5000, tol=1e-4, random_state=0)


def workers() -> int:
    """The cores this process may use: every fold and final fit of every head runs side by side."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Target:
    """One field's labels as the estimators see them: sorted classes and each row's class index."""

    classes: tuple[str, ...]
    y: np.ndarray
    cfg: HeadConfig

    @classmethod
    def of(cls, labels: Sequence[str], cfg: HeadConfig) -> Target:
        classes = tuple(sorted(set(labels)))
        return cls(classes, np.searchsorted(np.asarray(classes), np.asarray(labels)), cfg)

    @property
    def cross_validated(self) -> bool:
        return bool(np.bincount(self.y).min() >= 2)

    def folds(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The same stratified folds for every C (what cross_val_predict would use)."""
        n = min(self.cfg.folds, int(np.bincount(self.y).min()))
        cv = StratifiedKFold(n_splits=max(n, 2), shuffle=True, random_state=0)
        return list(cv.split(np.zeros(len(self.y)), self.y))


@dataclass(frozen=True)
class Fit:
    """One estimator fit: a cross-validation fold scored on its held-back rows, or (rows None) a
    head's final fit on every row."""

    head: str
    c: float
    rows: tuple[np.ndarray, np.ndarray] | None = None


def _perform(x: sp.csr_matrix, target: Target, fit: Fit) -> np.ndarray | LinearSVC | LogisticRegression:
    estimator = _estimator(fit.c, target.cfg)
    if fit.rows is None:
        return estimator.fit(x, target.y)
    train_rows, test_rows = fit.rows
    return estimator.fit(x[train_rows], target.y[train_rows]).decision_function(x[test_rows])


def _run(x: sp.csr_matrix, targets: Mapping[str, Target], fits: list[Fit], jobs: int) -> list[Any]:
    if jobs <= 1 or len(fits) <= 1:
        return [_perform(x, targets[f.head], f) for f in fits]
    return list(Parallel(n_jobs=min(jobs, len(fits)))(
        delayed(_perform)(x, targets[f.head], f) for f in fits))


def _first_round(name: str, target: Target) -> list[Fit]:
    """Every fold of every C; the final fit too when there is nothing to choose."""
    if not target.cross_validated:
        return [Fit(name, 1.0)]
    grid = target.cfg.c_grid
    fits = [Fit(name, c, rows) for c in grid for rows in target.folds()]
    return fits + ([Fit(name, grid[0])] if len(grid) == 1 else [])


def _oof(name: str, target: Target, c: float, fits: list[Fit], results: list[Any]) -> np.ndarray:
    """The head's out-of-fold decision values for one C, in row order."""
    parts = [(f.rows[1], r) for f, r in zip(fits, results, strict=True)
             if f.rows is not None and f.head == name and f.c == c]
    scores = np.empty((len(target.y), *parts[0][1].shape[1:]), dtype=np.float64)
    for test_rows, s in parts:
        scores[test_rows] = s
    return _as_columns(scores)


def _as_columns(scores: np.ndarray) -> np.ndarray:
    """Binary decision values s → two columns (-s/2, s/2), so every head is a softmax."""
    return np.column_stack([-scores / 2, scores / 2]) if scores.ndim == 1 else scores


def fit_temperature(scores: np.ndarray, y_idx: np.ndarray) -> float:
    """The softmax temperature minimising out-of-fold log-loss."""
    best, best_t = np.inf, 1.0
    for t in TEMPERATURES:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        nll = -logp[np.arange(len(y_idx)), y_idx].mean()
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


HeadFit = tuple[tuple[str, ...], np.ndarray, np.ndarray, float, dict]


def fit_heads(x: sp.csr_matrix, targets: Mapping[str, Target], log: Callable[[str], None],
              jobs: int | None = None) -> dict[str, HeadFit]:
    """(classes, coef (n_features × k), intercept (k), temperature, cv report) per field."""
    jobs = workers() if jobs is None else jobs
    fits = [f for name, t in targets.items() for f in _first_round(name, t)]
    results = _run(x, targets, fits, jobs)
    chosen: dict[str, tuple[float, float, float]] = {}
    for name, target in targets.items():
        log(f"head {name}:")
        if not target.cross_validated:
            log("  a label has a single example: no cross-validation, C=1, temperature 1")
            chosen[name] = (1.0, float("nan"), 1.0)
            continue
        best: tuple[float, float, np.ndarray] | None = None
        for c in target.cfg.c_grid:
            oof = _oof(name, target, c, fits, results)
            f1 = f1_score(target.y, oof.argmax(axis=1), average="macro")
            log(f"  C={c:g}: cv macro-F1 {f1:.4f}")
            if best is None or f1 > best[0]:
                best = (f1, c, oof)
        assert best is not None
        chosen[name] = (best[1], best[0], fit_temperature(best[2], target.y))
    finals = {f.head: r for f, r in zip(fits, results, strict=True) if f.rows is None}
    missing = [Fit(name, chosen[name][0]) for name in targets if name not in finals]
    finals.update({f.head: r for f, r in zip(missing, _run(x, targets, missing, jobs), strict=True)})
    return {name: _layout(finals[name], t.classes, *chosen[name]) for name, t in targets.items()}


def _layout(estimator: LinearSVC | LogisticRegression, classes: tuple[str, ...], c: float, f1: float,
            temperature: float) -> HeadFit:
    """The fitted weights laid out as (n_features × k) columns, with the head's report."""
    coef = estimator.coef_.astype(np.float32)
    intercept = estimator.intercept_.astype(np.float32)
    if len(classes) == 2:
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
    report = {"C": c, "cv_macro_f1": None if np.isnan(f1) else round(float(f1), 4),
              "temperature": round(temperature, 4)}
    return classes, coef.T.copy(), intercept, temperature, report


def train(texts: Sequence[str], labels: Mapping[str, Sequence[str]], spec: FeatureSpec | None = None,
          heads: Mapping[str, HeadConfig] | None = None, min_df: int = 2,
          log: Callable[[str], None] = lambda _m: None) -> LinearModel:
    """Train one model with a head per field in `labels` (each a label list aligned with texts)."""
    spec = spec or FeatureSpec()
    min_df = min_df if len(texts) >= 50 else 1      # tiny sets would lose every feature
    started = time.perf_counter()
    norms = [normalize(t) for t in texts]
    x, wv, cv = fit_vectors((word_features(tokens(n), spec.word_max_n) for n in norms),
                            (char_features(n, spec.char_min_n, spec.char_max_n) for n in norms),
                            spec, min_df)
    log(f"{len(texts)} texts, {x.shape[1]} features ({len(wv.vocabulary_)} word, {len(cv.vocabulary_)} char)")
    targets = {name: Target.of(ys, (heads or {}).get(name, HeadConfig())) for name, ys in labels.items()}
    coefs, intercepts, out_heads, report = [], [], {}, {}
    start = 0
    for name, (classes, coef, intercept, temp, rep) in fit_heads(x, targets, log).items():
        out_heads[name] = Head(classes, start, temp)
        start += len(classes)
        coefs.append(coef)
        intercepts.append(intercept)
        report[name] = rep
    n_words = len(wv.vocabulary_)
    meta = {"trained_on": len(texts), "spec": spec.to_dict(), "min_df": min_df, "heads": report,
            "sklearn": sklearn.__version__, "numpy": np.__version__, "python": platform.python_version(),
            "train_seconds": round(time.perf_counter() - started, 1)}
    vectorizer = Vectorizer.from_vocabularies(
        spec, {k: int(v) for k, v in wv.vocabulary_.items()},
        {k: int(v) + n_words for k, v in cv.vocabulary_.items()},
        np.concatenate([wv.idf_, cv.idf_]))
    return LinearModel(
        vectorizer=vectorizer, coef=np.hstack(coefs).astype(np.float32), intercept=np.concatenate(intercepts).astype(np.float32),
        heads=out_heads, meta=meta)


# Chars 1–2 match 1–3 on the held-out split and on real messages, with fewer n-grams per text.
DEFAULT_SPEC = FeatureSpec(word_max_n=2, char_min_n=1, char_max_n=2, word_weight=0.7, char_weight=1.0)
# Fixed C with balanced classes: best mean category macro-F1 over leave-one-writer-out checks
# (train on three corpus files, score the fourth) and the held-out split. Category and
# department: logistic regression (C 5–20 alike) reads real letters a little better than
# LinearSVC, at no cost (category) or one letter of 700 (department) on the held-out split.
DEFAULT_HEADS = {"category": HeadConfig(c_grid=(10.0,), balanced=True, logistic=True),
                 "department": HeadConfig(c_grid=(10.0,), balanced=True, logistic=True),
                 "urgent": HeadConfig(c_grid=(0.3,), balanced=True)}

GENERIC_SPEC = FeatureSpec(word_max_n=2, char_min_n=1, char_max_n=3, word_weight=0.7, char_weight=1.0)
GENERIC_HEAD = HeadConfig(c_grid=(1.0,), folds=3)


def train_csv(path: Path, text_column: str, label_column: str, out: Path,
              log: Callable[[str], None] = lambda _m: None) -> dict:
    """`nlp train --csv`: a one-head model for any label set, saved with the CSV's hash."""
    texts, labels = read_labelled(path, text_column, label_column)
    log(f"{path}: {len(texts)} labelled rows, {len(set(labels))} labels")
    model = train(texts, {label_column: labels}, spec=GENERIC_SPEC,
                  heads={label_column: GENERIC_HEAD}, log=log)
    model.meta.update(source=path.name, corpus_sha256=files_sha256([path]),
                      text_column=text_column, label_column=label_column)
    model.save(out)
    return {"out": str(out), "rows": len(texts), "labels": sorted(set(labels)),
            **model.meta["heads"][label_column], "train_seconds": model.meta["train_seconds"]}
