"""Feature extraction shared by training and inference: jieba words and character n-grams.

Why one function for both: the trained model is applied by our own code (nlp/model.py), not by
scikit-learn, so the features must come from the very same function that training used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from nlp.segment import tokens


@dataclass(frozen=True)
class FeatureSpec:
    """Which n-grams the model sees; stored in the artifact so inference matches training."""

    word_max_n: int = 2
    char_min_n: int = 1
    char_max_n: int = 3
    word_weight: float = 1.0
    char_weight: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


def word_features(words: list[str], max_n: int) -> list[str]:
    """Word unigrams and adjacent n-grams up to max_n, space-joined."""
    feats = list(words)
    for n in range(2, max_n + 1):
        feats.extend(" ".join(words[i:i + n]) for i in range(len(words) - n + 1))
    return feats


def char_features(text: str, min_n: int, max_n: int) -> list[str]:
    """Character n-grams of the normalised text (punctuation kept: ！！！ and ？？？ carry tone)."""
    length = len(text)
    feats: list[str] = []
    for n in range(min_n, max_n + 1):
        feats.extend(text[i:i + n] for i in range(length - n + 1))
    return feats


def extract(norm: str, spec: FeatureSpec) -> tuple[list[str], list[str]]:
    """(word features, char features) of already normalised text."""
    return word_features(tokens(norm), spec.word_max_n), char_features(norm, spec.char_min_n, spec.char_max_n)
