"""`zhiyong nlp train --default`: the shipped model, rebuilt reproducibly from nlp/corpus/*.csv.

Why two fits: the first (on the ~80 % train split) measures the full pipeline on the held-out
~20 % and records those figures in meta.json; the shipped model is then refit on everything.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from nlp.classifier import Classifier
from nlp.corpus import Example, load_corpus, split
from nlp.corrections import merge
from nlp.evaluate import metrics
from nlp.lexicon import build_lexicon
from nlp.model import LinearModel, corpus_files, default_dir, files_sha256
from nlp.taxonomy import FIELDS
from nlp.train import DEFAULT_HEADS, DEFAULT_SPEC, train


def fit(examples: list[Example], log: Callable[[str], None] = lambda _m: None) -> LinearModel:
    """A category/department/urgent model from corpus examples."""
    return train([e.text for e in examples], {f: [e.label(f) for e in examples] for f in FIELDS},
                 spec=DEFAULT_SPEC, heads=DEFAULT_HEADS, log=log)


def pipeline_metrics(model: LinearModel, examples: list[Example], **kw: Any) -> dict[str, Any]:
    """Full-pipeline figures (model + lexicon + rules + triage) per field, plus urgent recall."""
    clf = Classifier(lexicon=build_lexicon(), model=model, **kw)
    results = [clf.classify(e.text) for e in examples]
    out: dict[str, Any] = {}
    for f in FIELDS:
        pred = [str(int(getattr(r, f))) if f == "urgent" else getattr(r, f) for r in results]
        out[f] = metrics([e.label(f) for e in examples], pred)
    out["triaged_share"] = round(sum(r.triaged for r in results) / len(results), 4)
    return out


def summary(m: dict[str, Any]) -> dict[str, float]:
    """The headline numbers: category macro-F1, department accuracy, urgent recall."""
    return {"category_macro_f1": m["category"]["macro_f1"], "category_accuracy": m["category"]["accuracy"],
            "department_accuracy": m["department"]["accuracy"], "department_macro_f1": m["department"]["macro_f1"],
            "urgent_recall": m["urgent"]["per_class"].get("1", {}).get("recall", 0.0),
            "urgent_precision": m["urgent"]["per_class"].get("1", {}).get("precision", 0.0),
            "triaged_share": m["triaged_share"]}


def build_default(out: Path | None = None, log: Callable[[str], None] = lambda _m: None,
                  corrected: list[Example] | None = None, source: str = "") -> dict[str, Any]:
    """Train, measure on the held-out split, refit on all data, save with the corpus hash.

    With `corrected` (the office's corrections as examples) the figures are measured twice on
    the same held-out split, without and with them; a corrected text of the held-out split is
    left out of training so the "after" figure is not measured on what it learned.
    """
    files = corpus_files()
    examples = load_corpus(files)
    train_part, heldout = split(examples)
    log(f"corpus: {len(examples)} examples in {len(files)} files; held-out {len(heldout)}")
    held_texts = {e.text for e in heldout}
    extra = [e for e in corrected or [] if e.text not in held_texts]
    before = summary(pipeline_metrics(fit(train_part, log), heldout)) if corrected is not None \
        else None
    held = summary(pipeline_metrics(fit(merge(train_part, extra), log), heldout))
    log(f"held-out (trained on {len(train_part)} + {len(extra)} corrected): {held}")
    model = fit(merge(examples, extra), log)
    model.meta.update(corpus_sha256=files_sha256(files), corpus_files=[p.name for p in files],
                      corpus_size=len(examples), heldout_size=len(heldout), heldout=held)
    if corrected is not None:
        model.meta.update(trained_with_corrections=True, heldout_before_corrections=before,
                          corrections={"count": len(extra), "source": source,
                                       "left_out_heldout": len(corrected) - len(extra)})
    model.save(out or default_dir())
    return {"heldout": held} if before is None else {
        "before": before, "heldout": held, "corrections": len(extra),
        "left_out_heldout": len(corrected or []) - len(extra)}
