"""TF-IDF features over word 1-2-grams and in-word character 2-5-grams, as plain arrays."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

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
    return list(words) + [f"{a} {b}" for a, b in itertools.pairwise(words)]


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


_PRIME = np.uint64(1099511628211)
_SALT = {n: np.uint64((n * 0x9E3779B97F4A7C15) % 2**64) for n in range(1, 64)}


def _hash_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """64-bit polynomial hashes of every length-n window of a uint64 code-point array."""
    size = len(codes) - n + 1
    h = np.full(max(size, 0), _SALT[n], dtype=np.uint64)
    for k in range(n):
        h = h * _PRIME + codes[k : k + size]  # wraps modulo 2**64 by design
    return h


def hash_strings(grams: Sequence[str]) -> np.ndarray:
    """The hash `char_gram_hashes` gives each of these n-gram strings (for vocabularies)."""
    out = np.zeros(len(grams), dtype=np.uint64)
    by_len: dict[int, list[int]] = {}
    for i, g in enumerate(grams):
        by_len.setdefault(len(g), []).append(i)
    for n, idx in by_len.items():
        arr = np.array([grams[i] for i in idx], dtype=f"<U{n}")
        codes = arr.view(np.uint32).reshape(len(idx), n).astype(np.uint64)
        h = np.full(len(idx), _SALT[n], dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + codes[:, k]
        out[idx] = h
    return out


def char_gram_hashes(token_lists: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the same character n-grams as `char_grams`, for a batch, and their row ids.

    Vectorised with numpy: the texts are laid end to end (NUL-separated, words joined by one
    space) and a window counts only if it stays in one text and has no space inside it.
    """
    parts = [f" {' '.join(t)} " if t else "" for t in token_lists]
    big = "\x00".join(parts)
    codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
    row = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)[: len(codes)]
    sep = np.concatenate([[0], np.cumsum(codes == 0)])
    space = np.concatenate([[0], np.cumsum(codes == 32)])
    hashes, rows = [], []
    lo, hi = CHAR_NGRAMS
    for n in range(lo, hi + 1):
        size = len(codes) - n + 1
        if size <= 0:
            continue
        start = np.arange(size)
        valid = (sep[start + n] == sep[start]) & (space[start + n - 1] == space[start + 1])
        hashes.append(_hash_codes(codes, n)[valid])
        rows.append(row[:size][valid])
    if not hashes:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    return np.concatenate(hashes), np.concatenate(rows)


class _BatchGrams(NamedTuple):
    words: list[list[str]]
    char_hashes: np.ndarray
    char_rows: np.ndarray


@lru_cache(maxsize=2)
def batch_grams(normalized: tuple[str, ...]) -> _BatchGrams:
    """Word grams and hashed char grams of a batch; cached because the app runs both models."""
    token_lists = [_TOKEN.findall(norm) for norm in normalized]
    hashes, rows = char_gram_hashes(token_lists)
    return _BatchGrams([word_grams(t) for t in token_lists], hashes, rows)


class HashIndex:
    """Open-addressing table from 64-bit n-gram hashes to columns, probed with numpy.

    A sorted array + searchsorted costs ~18 cache misses per lookup; this costs about one.
    """

    def __init__(self, hashes: np.ndarray) -> None:
        size = 1 << max(4, int(np.ceil(np.log2(max(len(hashes), 1) * 2))))
        self._shift = np.uint64(64 - int(np.log2(size)))
        self._mask = np.int64(size - 1)
        self._keys = np.zeros(size, dtype=np.uint64)
        self._cols = np.full(size, -1, dtype=np.int32)
        pending = np.arange(len(hashes), dtype=np.int64)
        slot = self._slot(hashes)
        while len(pending):
            s = slot[pending]
            free = self._cols[s] < 0
            first = np.zeros(len(pending), dtype=bool)
            _, idx = np.unique(s, return_index=True)
            first[idx] = True
            put = free & first
            self._keys[s[put]] = hashes[pending[put]]
            self._cols[s[put]] = pending[put]
            pending = pending[~put]
            slot[pending] = (slot[pending] + 1) & self._mask

    def _slot(self, hashes: np.ndarray) -> np.ndarray:
        # Polynomial hashes of short n-grams differ mostly in low bits: mix before taking the top.
        h = hashes ^ (hashes >> np.uint64(33))
        h = h * np.uint64(0xFF51AFD7ED558CCD)
        h ^= h >> np.uint64(33)
        return (h >> self._shift).astype(np.int64)

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Column of each hash, or -1 when it is not in the vocabulary."""
        out = np.full(len(hashes), -1, dtype=np.int64)
        active = np.arange(len(hashes), dtype=np.int64)
        slot = self._slot(hashes)
        while len(active):
            cols = self._cols[slot]
            found = self._keys[slot] == hashes[active]
            found &= cols >= 0
            out[active[found]] = cols[found]
            more = ~found & (cols >= 0)  # occupied by another key: probe the next slot
            active, slot = active[more], (slot[more] + 1) & self._mask
        return out


class Vectorizer:
    """Fixed vocabularies and idf weights; each block is L2-normalised on its own."""

    def __init__(
        self,
        word_vocab: dict[str, int],
        char_grams_list: Sequence[str],
        word_idf: np.ndarray,
        char_idf: np.ndarray,
    ) -> None:
        self.word_vocab = word_vocab
        self.char_list = list(char_grams_list)
        self.word_idf = word_idf
        self.char_idf = char_idf
        hashes = hash_strings(self.char_list)
        if len(np.unique(hashes)) != len(hashes):
            raise ValueError("character n-gram hash collision in the vocabulary")
        self._char_index = HashIndex(hashes)
        self._char_vocab: dict[str, int] | None = None

    @property
    def char_vocab(self) -> dict[str, int]:
        """Character n-gram -> column in the char block (built on first use, for explanations)."""
        if self._char_vocab is None:
            self._char_vocab = {g: i for i, g in enumerate(self.char_list)}
        return self._char_vocab

    @property
    def n_features(self) -> int:
        """Total number of features (word block first)."""
        return len(self.word_vocab) + len(self.char_list)

    def entries(self, normalized: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Non-zero TF-IDF entries (rows, columns, values) and the number of texts."""
        grams = batch_grams(tuple(normalized))
        n = len(grams.words)
        wget = self.word_vocab.get
        w_idx: list[int] = []
        w_len: list[int] = []
        for words in grams.words:
            before = len(w_idx)
            w_idx.extend(i for i in map(wget, words) if i is not None)
            w_len.append(len(w_idx) - before)
        w_rows = np.repeat(np.arange(n, dtype=np.int64), w_len)
        wr, wc, wv = _tfidf(w_rows, np.asarray(w_idx, dtype=np.int64), n, self.word_idf)
        c_cols = self._char_index.lookup(grams.char_hashes)
        hit = c_cols >= 0
        cr, cc, cv = _tfidf(grams.char_rows[hit], c_cols[hit], n, self.char_idf)
        offset = len(self.word_vocab)
        rows = np.concatenate([wr, cr])
        return rows, np.concatenate([wc, cc + offset]), np.concatenate([wv, cv]), n

    def transform(self, normalized: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF matrix for already normalised texts."""
        rows, cols, vals, n = self.entries(normalized)
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, self.n_features))


def _tfidf(
    rows: np.ndarray, cols: np.ndarray, n: int, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count (row, col) pairs, apply sublinear tf and idf, and L2-normalise each row."""
    width = max(len(idf), 1)
    keys, counts = np.unique(rows * width + cols, return_counts=True)
    r, c = keys // width, keys % width
    v = (1.0 + np.log(counts)) * idf[c]  # sublinear tf: repeats say less
    norms = np.sqrt(np.bincount(r, weights=v * v, minlength=n))
    return r, c, v / np.where(norms > 0, norms, 1.0)[r]


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
    return Vectorizer(word_vocab, list(char_vocab), word_idf, char_idf)
