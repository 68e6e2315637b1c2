"""TF-IDF features over word 1-2-grams and in-word character 2-5-grams, as plain arrays."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
_TOKEN = re.compile(r"@user|\w+|[^\w\s]")


def tokenize(norm: str) -> list[re.Match[str]]:
    """Word tokens of normalised text (words, @user, single punctuation or emoji)."""
    return list(_TOKEN.finditer(norm))


def word_grams(words: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams."""
    return list(words) + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


def char_grams(word: str) -> list[str]:
    """Character 2-5-grams of one word padded with spaces (like sklearn's char_wb)."""
    padded = f" {word} "
    size = len(padded)
    lo, hi = CHAR_NGRAMS
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]


def analyze(norm: str) -> tuple[list[str], list[str]]:
    """Word grams and character grams of one normalised text."""
    words = _TOKEN.findall(norm)
    chars: list[str] = []
    for w in words:
        chars.extend(char_grams(w))
    return word_grams(words), chars


@dataclass
class Vectorizer:
    """Fixed vocabularies and idf weights; each block is L2-normalised on its own."""

    word_vocab: dict[str, int]
    char_vocab: dict[str, int]
    word_idf: np.ndarray
    char_idf: np.ndarray

    @property
    def n_features(self) -> int:
        """Total number of features (word block first)."""
        return len(self.word_vocab) + len(self.char_vocab)

    def feature_names(self) -> list[str]:
        """Feature strings in column order."""
        return list(self.word_vocab) + list(self.char_vocab)

    def transform(self, normalized: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF rows for already normalised texts."""
        wget, cget = self.word_vocab.get, self.char_vocab.get
        w_idx: list[int] = []
        c_idx: list[int] = []
        w_ptr = [0]
        c_ptr = [0]
        for norm in normalized:
            wg, cg = analyze(norm)
            w_idx.extend(i for i in map(wget, wg) if i is not None)
            c_idx.extend(i for i in map(cget, cg) if i is not None)
            w_ptr.append(len(w_idx))
            c_ptr.append(len(c_idx))
        word = _tfidf(w_idx, w_ptr, self.word_idf)
        char = _tfidf(c_idx, c_ptr, self.char_idf)
        return sp.hstack([word, char], format="csr")


def _tfidf(indices: list[int], indptr: list[int], idf: np.ndarray) -> sp.csr_matrix:
    n = len(indptr) - 1
    idx = np.asarray(indices, dtype=np.int32)
    ptr = np.asarray(indptr, dtype=np.int64)
    m = sp.csr_matrix((np.ones(len(idx), dtype=np.float64), idx, ptr), shape=(n, len(idf)))
    m.sum_duplicates()
    m.data = (1.0 + np.log(m.data)) * idf[m.indices]  # sublinear tf: repeats say less
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0.0] = 1.0
    m.data /= np.repeat(norms, np.diff(m.indptr))
    return m


def fit_vectorizer(
    normalized: Sequence[str], min_df: int = 2, max_word: int = 100_000, max_char: int = 250_000
) -> Vectorizer:
    """Choose vocabularies by document frequency (ties broken alphabetically) and compute idf."""
    word_df: Counter[str] = Counter()
    char_df: Counter[str] = Counter()
    for norm in normalized:
        wg, cg = analyze(norm)
        word_df.update(set(wg))
        char_df.update(set(cg))
    n = len(normalized)

    def pick(df: Counter[str], cap: int) -> tuple[dict[str, int], np.ndarray]:
        kept = sorted((g for g, c in df.items() if c >= min_df), key=lambda g: (-df[g], g))[:cap]
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float64)
        return {g: i for i, g in enumerate(kept)}, idf

    word_vocab, word_idf = pick(word_df, max_word)
    char_vocab, char_idf = pick(char_df, max_char)
    return Vectorizer(word_vocab, char_vocab, word_idf, char_idf)
