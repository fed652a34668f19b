"""Inference-time TF-IDF from integer n-gram codes, equal to what training computed on strings.

Why codes: a Python dict lookup per n-gram costs ~0.3 µs here and a 100-character complaint
has ~400 of them. Packing each character n-gram into one uint64 (21 bits per code point) and
each word n-gram into one (21 bits per word id) lets numpy find them all in a sorted array at
once (searchsorted), which keeps classify() well under 0.2 ms.
"""

from __future__ import annotations

import math
from itertools import repeat

import numpy as np

from nlp.features import FeatureSpec
from nlp.segment import tokens

BITS = 21
MAX_CHAR_N = 3      # 3 × 21 bits fit in a uint64, below WORD_BIT
WORD_BIT = np.uint64(1 << 63)
_SHIFT = np.uint64(BITS)
_ONE = np.uint64(1)
_EMPTY_ROW = (np.empty(0, np.intp), np.empty(0, np.float32), 0)
# the code part of a word not in the vocabulary: no vocabulary n-gram holds it, so every n-gram
# with an unknown word misses without being filtered out
UNKNOWN = (1 << BITS) - 2
_UNKNOWN_WORD = UNKNOWN | int(WORD_BIT)
# after the last vocabulary code, above every query code (a word code's parts are ≤ UNKNOWN):
# searchsorted then always lands on an element, and a miss compares unequal
_ABOVE_ALL = np.array([(1 << 64) - 1], np.uint64)


def char_ngram_codes(text: str, min_n: int, max_n: int) -> np.ndarray:
    """Codes of every character n-gram, min_n ≤ n ≤ max_n (code point + 1, so NUL is safe)."""
    parts = _ngram_codes(_char_units(text), min_n, max_n)
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


def _char_units(text: str) -> np.ndarray:
    cps = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.uint64)
    cps += _ONE
    return cps


def _ngram_codes(units: np.ndarray, min_n: int, max_n: int) -> list[np.ndarray]:
    """Codes of the n-grams of `units` (21-bit codes; a word's carry WORD_BIT), per n.

    Each n-gram's code extends the (n-1)-gram's by one unit: two numpy calls per n. The top bit
    of the shorter code shifts out, and the last unit brings it back for words.
    """
    parts = [units] if min_n <= 1 and len(units) else []
    code = units
    for n in range(2, max_n + 1):
        if len(units) < n:
            break
        code = code[:-1] << _SHIFT
        code |= units[n - 1:]
        if n >= min_n:
            parts.append(code)
    return parts


def string_code(gram: str) -> int:
    """The code of one character n-gram string (what char_ngram_codes computes for it)."""
    code = 0
    for ch in gram:
        code = (code << BITS) | (ord(ch) + 1)
    return code


def word_code(ids: list[int]) -> int:
    """The code of one word n-gram (n ≥ 2) from its word ids."""
    code = 0
    for i in ids:
        code = (code << BITS) | (i + 1)
    return code


class Vectorizer:
    """Word and char TF-IDF blocks (sublinear tf, smooth idf, l2 per block, block weights).

    Word n-gram codes (n ≥ 1, from word ids) carry the top bit, so they share one sorted array
    with the char n-gram codes (≤ 63 bits): one sort and one searchsorted find and count every
    known n-gram of a text, and the word block ends up after the char block.
    """

    def __init__(self, spec: FeatureSpec, words: list[str], codes: np.ndarray,
                 code_cols: np.ndarray, idf: np.ndarray) -> None:
        if spec.char_max_n > MAX_CHAR_N:
            raise ValueError(f"character n-grams longer than {MAX_CHAR_N} are not supported")
        self.spec = spec
        self.words = words
        if len(words) >= UNKNOWN:
            raise ValueError(f"more than {UNKNOWN - 1} words are not supported")
        # word → its code as a unigram (id + 1 and WORD_BIT): what a query is built from
        self._word_units = {w: (i + 1) | int(WORD_BIT) for i, w in enumerate(words)}
        self.codes, self.code_cols, self.idf = codes, code_cols.astype(np.intp), idf
        self._search = np.concatenate([codes.astype(np.uint64), _ABOVE_ALL])
        self.first_word = int(np.searchsorted(codes, WORD_BIT))
        self.weights = (np.float32(spec.char_weight), np.float32(spec.word_weight))
        self._code_of_col: np.ndarray | None = None

    @classmethod
    def from_vocabularies(cls, spec: FeatureSpec, word_vocab: dict[str, int],
                          char_vocab: dict[str, int], idf: np.ndarray) -> Vectorizer:
        """Convert scikit-learn string vocabularies (feature → column) to codes."""
        words = [w for w in word_vocab if " " not in w]
        ids = {w: i for i, w in enumerate(words)}
        pairs = [(word_code([ids[t] for t in g.split(" ")]) | int(WORD_BIT), c)
                 for g, c in word_vocab.items()]
        pairs += [(string_code(g), c) for g, c in char_vocab.items()]
        return cls(spec, words, *_sorted(pairs), idf.astype(np.float32))

    def state(self) -> dict:
        return {"words": self.words, "codes": self.codes, "code_cols": self.code_cols.astype(np.int32),
                "idf": self.idf}

    def transform(self, norm: str) -> tuple[np.ndarray, np.ndarray]:
        """The sparse TF-IDF row of normalised text as (column indices, values)."""
        idx, val, _ = self.row(norm)
        return idx, val

    def row(self, norm: str) -> tuple[np.ndarray, np.ndarray, int]:
        """(column indices, values, where the word features start): chars first, then words."""
        if not len(self.codes):
            return _EMPTY_ROW
        spec = self.spec
        toks = tokens(norm)
        words = np.fromiter(map(self._word_units.get, toks, repeat(_UNKNOWN_WORD)), np.uint64, len(toks))
        parts = _ngram_codes(_char_units(norm), spec.char_min_n, spec.char_max_n)
        parts += _ngram_codes(words, 1, spec.word_max_n)
        if not parts:
            return _EMPTY_ROW
        query = np.concatenate(parts)
        query.sort()
        pos = self._search.searchsorted(query)
        pos = pos[self._search.take(pos) == query]
        if not len(pos):
            return _EMPTY_ROW
        # runs of equal positions: their starts, then the end
        edges = np.empty(len(pos) + 1, bool)
        edges[0] = edges[-1] = True
        np.not_equal(pos[1:], pos[:-1], out=edges[1:-1])
        bounds = edges.nonzero()[0]
        starts = bounds[:-1]
        counts = (bounds[1:] - starts).astype(np.float32)
        # take, not fancy indexing: the same gather at half the overhead
        upos = pos.take(starts)
        idx = self.code_cols.take(upos)
        val = (np.log(counts) + np.float32(1.0)) * self.idf.take(idx)
        split = int(upos.searchsorted(self.first_word))
        for part, weight in ((val[:split], self.weights[0]), (val[split:], self.weights[1])):
            if len(part):
                # sqrt in double rounded to float32 equals float32 sqrt, without a ufunc call
                part *= weight / np.float32(math.sqrt(part @ part))
        return idx, val, split

    def _codes_by_column(self) -> np.ndarray:
        if self._code_of_col is None:
            codes = np.zeros(len(self.idf), np.uint64)
            codes[self.code_cols] = self.codes
            self._code_of_col = codes
        return self._code_of_col

    def column(self, col: int) -> tuple[str, tuple[str, ...]]:
        """One column's (readable feature, its jieba words; () for a char n-gram)."""
        code, top = int(self._codes_by_column()[col]), int(WORD_BIT)
        if code & top:
            parts = tuple(self.words[i - 1] for i in _unpack(code ^ top))
            return "".join(parts), parts
        return "".join(chr(i - 1) for i in _unpack(code)), ()

    def names(self) -> list[str]:
        """Column → readable feature (words joined without spaces), for evidence."""
        return [name for name, _ in self.named_columns()]

    def named_columns(self) -> list[tuple[str, tuple[str, ...]]]:
        """Column → (readable feature, its jieba words; () for a char n-gram)."""
        out: list[tuple[str, tuple[str, ...]]] = [("", ())] * len(self.idf)
        top = int(WORD_BIT)
        for code, c in zip(self.codes.tolist(), self.code_cols.tolist(), strict=True):
            if code & top:
                parts = tuple(self.words[i - 1] for i in _unpack(code ^ top))
                out[c] = ("".join(parts), parts)
            else:
                out[c] = ("".join(chr(i - 1) for i in _unpack(code)), ())
        return out


def _unpack(code: int) -> list[int]:
    parts = []
    mask = (1 << BITS) - 1
    while code:
        parts.append(code & mask)
        code >>= BITS
    return parts[::-1]


def _sorted(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not pairs:
        return np.empty(0, np.uint64), np.empty(0, np.intp)
    pairs.sort()
    return np.array([p[0] for p in pairs], np.uint64), np.array([p[1] for p in pairs], np.intp)
