"""Shared fixtures: a model trained in-process on the corpus train split (independent of the
shipped artifact, which is rebuilt whenever the corpus changes)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import nlp
from nlp.corpus import load_corpus, split
from nlp.default import fit


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    train_part, _ = split(load_corpus())
    out = tmp_path_factory.mktemp("nlp-model")
    fit(train_part).save(out)
    return out


@pytest.fixture()
def configured(model_dir: Path) -> Iterator[Path]:
    """nlp configured with the test model; reset to defaults afterwards."""
    nlp.configure(model_dir=model_dir)
    yield model_dir
    nlp.configure()
