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

CHAR_NGRAMS = (2, 5)
_TOKEN = re.compile(r"@user|\w+|[^\w\s]")
NO_WORDS: frozenset[str] = frozenset()
# Words naming an identity group (after the Civil Comments identity columns). A model may keep
# them silent: no unigram, no character gram and no word vector of their own, so mentioning a
# group is never evidence by itself; the bigrams with their neighbours (what is said about the
# group) still count.
IDENTITY_WORDS = frozenset(
    {
        "muslim",
        "muslims",
        "islam",
        "islamic",
        "jew",
        "jews",
        "jewish",
        "christian",
        "christians",
        "catholic",
        "catholics",
        "hindu",
        "hindus",
        "buddhist",
        "buddhists",
        "sikh",
        "sikhs",
        "atheist",
        "atheists",
        "black",
        "blacks",
        "white",
        "whites",
        "asian",
        "asians",
        "latino",
        "latinos",
        "latina",
        "latinas",
        "hispanic",
        "hispanics",
        "mexican",
        "mexicans",
        "african",
        "africans",
        "arab",
        "arabs",
        "gay",
        "gays",
        "lesbian",
        "lesbians",
        "bisexual",
        "transgender",
        "trans",
        "homosexual",
        "homosexuals",
        "queer",
        "woman",
        "women",
        "female",
        "females",
        "male",
        "males",
        "man",
        "men",
        "immigrant",
        "immigrants",
        "refugee",
        "refugees",
        "disabled",
        "deaf",
    }
)


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


def analyze(norm: str, silent: frozenset[str] = NO_WORDS) -> tuple[list[str], list[str]]:
    """Word grams and character grams of one normalised text (`silent` words: bigrams only)."""
    return _grams_of_words(_TOKEN.findall(norm), silent)


def _grams_of_words(words: list[str], silent: frozenset[str]) -> tuple[list[str], list[str]]:
    alone = [w for w in words if w not in silent]
    bigrams = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return alone + bigrams, [g for w in alone for g in char_grams(w)]


_PRIME = np.uint64(1099511628211)
# Every hash starts from a salt that depends on the gram's length, so "ab" and "b" differ.
_SALT_STEP = np.uint64(0x9E3779B97F4A7C15)
# P is odd, so it has an inverse modulo 2**64: span hashes then come from one cumulative sum.
_PRIME_INV = np.uint64(pow(int(_PRIME), -1, 2**64))
_POWERS: list[np.ndarray] = [np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64)]


def _powers(size: int) -> tuple[np.ndarray, np.ndarray]:
    """P**k and P**-k modulo 2**64 for k < size (cached, grown on demand)."""
    if len(_POWERS[0]) < size:
        k = max(size, 2 * len(_POWERS[0]))
        _POWERS[0] = np.cumprod(np.r_[np.uint64(1), np.full(k - 1, _PRIME)], dtype=np.uint64)
        _POWERS[1] = np.cumprod(np.r_[np.uint64(1), np.full(k - 1, _PRIME_INV)], dtype=np.uint64)
    return _POWERS[0], _POWERS[1]


def _salt(lengths: np.ndarray | int) -> np.ndarray:
    """The starting value of the hash of a gram of each length (wraps modulo 2**64)."""
    return np.asarray(lengths).astype(np.uint64) * _SALT_STEP


def _hash_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """64-bit polynomial hashes of every length-n window of a uint64 code-point array."""
    size = len(codes) - n + 1
    h = np.full(max(size, 0), _salt(n), dtype=np.uint64)
    for k in range(n):
        h = h * _PRIME + codes[k : k + size]  # wraps modulo 2**64 by design
    return h


def hash_strings(grams: Sequence[str]) -> np.ndarray:
    """The hash the batch functions give each of these strings (for vocabularies)."""
    out = np.zeros(len(grams), dtype=np.uint64)
    by_len: dict[int, list[int]] = {}
    for i, g in enumerate(grams):
        by_len.setdefault(len(g), []).append(i)
    for n, idx in by_len.items():
        arr = np.array([grams[i] for i in idx], dtype=f"<U{n}")
        codes = arr.view(np.uint32).reshape(len(idx), n).astype(np.uint64)
        h = np.full(len(idx), _salt(n), dtype=np.uint64)
        for k in range(n):
            h = h * _PRIME + codes[:, k]
        out[idx] = h
    return out


class BatchGrams(NamedTuple):
    """Hashed word 1-2-grams and in-word character n-grams of a batch, with their row ids."""

    word_hashes: np.ndarray
    word_rows: np.ndarray
    char_hashes: np.ndarray
    char_rows: np.ndarray


def hash_batch(token_lists: Sequence[Sequence[str]]) -> BatchGrams:
    """Hashes of exactly the grams `analyze` lists, for a whole batch (see `_hash_batch`)."""
    return _hash_batch(token_lists)[0]


def _hash_batch(
    token_lists: Sequence[Sequence[str]],
) -> tuple[BatchGrams, np.ndarray, np.ndarray, np.ndarray, int]:
    """Hashes of exactly the grams `analyze` lists, for a whole batch, vectorised with numpy.

    The texts are laid end to end (NUL-separated, words joined by one space). A character
    window counts if it stays in one text and has no space inside; words are the runs between
    spaces, and a bigram is the span from one word's start to the next word's end.
    """
    parts = [f" {' '.join(t)} " if t else "" for t in token_lists]
    big = "\x00".join(parts)
    codes = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(p) + 1 for p in parts), dtype=np.int64, count=len(parts))
    row = np.repeat(np.arange(len(parts), dtype=np.int64), lengths)[: len(codes)]
    sep = np.concatenate([[0], np.cumsum(codes == 0)])
    space = np.concatenate([[0], np.cumsum(codes == 32)])
    hashes, rows, char_starts = [], [], []
    lo, hi = CHAR_NGRAMS
    for n in range(lo, hi + 1):
        size = len(codes) - n + 1
        if size <= 0:
            continue
        start = np.arange(size)
        valid = (sep[start + n] == sep[start]) & (space[start + n - 1] == space[start + 1])
        hashes.append(_hash_codes(codes, n)[valid])
        rows.append(row[:size][valid])
        char_starts.append(start[valid])
    empty_h, empty_r = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    char_h = np.concatenate(hashes) if hashes else empty_h
    char_r = np.concatenate(rows) if rows else empty_r
    in_word = (codes != 0) & (codes != 32)
    char_s = np.concatenate(char_starts) if char_starts else empty_r
    if not in_word.any():
        return BatchGrams(empty_h, empty_r, char_h, char_r), empty_r, empty_r, char_s, len(codes)
    edge = np.diff(np.r_[False, in_word, False].astype(np.int8))
    starts, ends = np.flatnonzero(edge == 1), np.flatnonzero(edge == -1)
    same_text = row[starts[1:]] == row[starts[:-1]]
    span_a = np.concatenate([starts, starts[:-1][same_text]])
    span_b = np.concatenate([ends, ends[1:][same_text]])
    pw, inv = _powers(len(codes) + 1)
    # G[i] = sum_{k<i} c[k] P**-k, so the polynomial hash of c[a:b] is P**(b-1) (G[b] - G[a]).
    g = np.concatenate([[np.uint64(0)], np.cumsum(codes * inv[: len(codes)], dtype=np.uint64)])
    n = span_b - span_a
    word_h = _salt(n) * pw[n] + pw[span_b - 1] * (g[span_b] - g[span_a])
    grams = BatchGrams(word_h, row[span_a], char_h, char_r)
    return grams, starts, ends, char_s, len(codes)


def grams_of_strings(analyzed: Sequence[tuple[list[str], list[str]]]) -> BatchGrams:
    """BatchGrams of texts whose word and character grams are already listed (`analyze`)."""
    words = [w for w, _ in analyzed]
    chars = [c for _, c in analyzed]
    return BatchGrams(
        hash_strings([g for ws in words for g in ws]),
        np.repeat(np.arange(len(words), dtype=np.int64), [len(ws) for ws in words]),
        hash_strings([g for cs in chars for g in cs]),
        np.repeat(np.arange(len(chars), dtype=np.int64), [len(cs) for cs in chars]),
    )


class TokenGrams(NamedTuple):
    """Grams of every token of a batch (no word left out), with what is needed to drop some."""

    grams: BatchGrams
    words: list[list[str]]  # each text's tokens
    char_token: np.ndarray  # the token (index over the whole batch) of each character gram
    token_row: np.ndarray  # the text of each token
    token_len: np.ndarray  # its length in characters
    token_poly: np.ndarray  # its polynomial hash without the length salt


def hash_tokens(token_lists: Sequence[Sequence[str]]) -> TokenGrams | None:
    """`hash_batch` of all the tokens, keeping per-token hashes so that any subset of the
    tokens can be hashed again cheaply (see `select_grams`). None if a token is not one word
    run of the joined text (cannot happen after normalisation, which deletes NUL)."""
    words = [t if isinstance(t, list) else list(t) for t in token_lists]
    grams, starts, ends, char_starts, size = _hash_batch(words)
    # Each token is one run of word characters unless it is a NUL, which makes none.
    if len(starts) != sum(len(t) for t in words):
        return None
    lengths = ends - starts
    token_row = np.repeat(np.arange(len(words), dtype=np.int64), [len(t) for t in words])
    # Unigram hashes come first in the word block, one per token, in token order.
    pw = _powers(int(lengths.max(initial=0)) + 1)[0]
    token_poly = grams.word_hashes[: len(starts)] - _salt(lengths) * pw[lengths]
    # A character window covers one padded word, and its second character is in that word.
    first = np.zeros(size + 1, dtype=np.int64)
    first[starts] = 1
    token_at = np.cumsum(first) - 1
    return TokenGrams(grams, words, token_at[char_starts + 1], token_row, lengths, token_poly)


def select_grams(
    tokens: TokenGrams, row_of_token: np.ndarray, mute: np.ndarray | None = None
) -> BatchGrams:
    """The grams `hash_batch` gives when the tokens are counted against `row_of_token` instead
    of their texts (sentences: -1 drops a token; no bigram spans two rows). Same multiset of
    (row, hash) pairs; the order may differ, which no score depends on."""
    g = tokens.grams
    row = row_of_token
    kept = np.flatnonzero(row >= 0)
    char_keep = row[tokens.char_token] >= 0
    kept_rows = row[kept]
    pair = kept_rows[1:] == kept_rows[:-1]
    a, b = kept[:-1][pair], kept[1:][pair]
    if mute is not None:
        char_keep &= ~mute[tokens.char_token]
        kept = kept[~mute[kept]]
    rows, lens = row[kept], tokens.token_len[kept]
    la, lb = tokens.token_len[a], tokens.token_len[b]
    n = la + 1 + lb
    pw = _powers(int(max(n.max(initial=0), lens.max(initial=0))) + 2)[0]
    poly = tokens.token_poly
    # "x y" = x * P**(len(y) + 1) + " " * P**len(y) + y, plus the salt of its length.
    bigram = _salt(n) * pw[n] + poly[a] * pw[lb + 1] + np.uint64(32) * pw[lb] + poly[b]
    word_h = np.concatenate([_salt(lens) * pw[lens] + poly[kept], bigram])
    word_r = np.concatenate([rows, row[a]])
    char_r = row[tokens.char_token][char_keep]
    return BatchGrams(word_h, word_r, g.char_hashes[char_keep], char_r)


@lru_cache(maxsize=2)
def token_grams(normalized: tuple[str, ...]) -> TokenGrams | None:
    """Tokens and grams of a batch, shared by every model that scores it (cached)."""
    return hash_tokens([_TOKEN.findall(norm) for norm in normalized])


def _muted(tokens: TokenGrams, silent: frozenset[str]) -> np.ndarray | None:
    """Which tokens of the batch are silent words (None if none is)."""
    if not silent:
        return None
    flat = itertools.chain.from_iterable(tokens.words)
    mute = np.fromiter(map(silent.__contains__, flat), dtype=bool, count=len(tokens.token_row))
    return mute if mute.any() else None


def batch_grams(normalized: tuple[str, ...], silent: frozenset[str] = NO_WORDS) -> BatchGrams:
    """Hashed grams of a batch of normalised texts (the tokens are shared by both models)."""
    tokens = token_grams(normalized)
    if tokens is None:
        return grams_of_strings([analyze(norm, silent) for norm in normalized])
    mute = _muted(tokens, silent)
    if mute is None:
        return tokens.grams
    g = tokens.grams
    keep_word = np.ones(len(g.word_hashes), dtype=bool)
    keep_word[: len(mute)] = ~mute  # one unigram per token comes first, in token order
    keep_char = ~mute[tokens.char_token]
    return BatchGrams(
        g.word_hashes[keep_word],
        g.word_rows[keep_word],
        g.char_hashes[keep_char],
        g.char_rows[keep_char],
    )


def clear_caches() -> None:
    """Forget every batch's tokens and grams (benchmarks start cold)."""
    token_grams.cache_clear()


# A sentence ends at ., ! or ? followed by space, or at a line break (normalised text).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


class SentenceGrams(NamedTuple):
    """Grams of the sentences of every text of a batch that has more than one."""

    grams: BatchGrams  # rows are sentences
    owner: np.ndarray  # the text of each sentence


def sentence_grams(normalized: tuple[str, ...], silent: frozenset[str] = NO_WORDS) -> SentenceGrams:
    """The grams of each sentence of the texts that have several, taken from the batch's own
    tokens (`token_grams`, shared with the whole texts): no bigram spans two sentences. Texts
    of one sentence add nothing (their sentence is the text)."""
    empty = SentenceGrams(
        BatchGrams(*(np.zeros(0, dtype=d) for d in (np.uint64, np.int64, np.uint64, np.int64))),
        np.zeros(0, dtype=np.int64),
    )
    tokens = token_grams(normalized)
    words = tokens.words if tokens is not None else [_TOKEN.findall(t) for t in normalized]
    sentence = np.full(sum(len(w) for w in words), -1, dtype=np.int64)
    owner: list[int] = []
    start = 0
    for i, text in enumerate(normalized):
        size = len(words[i])
        parts = [p for p in _SENTENCE_END.split(text) if p.strip()] if size else []
        if len(parts) > 1:
            counts = [len(_TOKEN.findall(p)) for p in parts]
            if sum(counts) == size:  # always: tokens never span the whitespace split on
                first = len(owner)
                sentence[start : start + size] = np.repeat(
                    np.arange(first, first + len(parts)), counts
                )
                owner.extend([i] * len(parts))
        start += size
    if not owner:
        return empty
    owners = np.asarray(owner, dtype=np.int64)
    if tokens is None:
        pieces: list[list[str]] = [[] for _ in owner]
        flat = [w for ws in words for w in ws]
        for w, sid in zip(flat, sentence.tolist(), strict=True):
            if sid >= 0:
                pieces[sid].append(w)
        analysed = [_grams_of_words(p, silent) for p in pieces]
        return SentenceGrams(grams_of_strings(analysed), owners)
    return SentenceGrams(select_grams(tokens, sentence, _muted(tokens, silent)), owners)


def blend_sentences(
    z: np.ndarray, z_sentences: np.ndarray, owner: np.ndarray, weight: float
) -> np.ndarray:
    """(1 - weight) * each text's logits + weight * the highest of its own and its sentences'
    logits, per label (`owner`: the text of each sentence row of `z_sentences`).

    Under L2 normalisation a threat or slur in one sentence of a long comment is diluted by the
    rest; the sentence term keeps it visible without letting one sentence decide alone.
    """
    if weight <= 0.0 or not len(owner):
        return z
    best = z.copy()
    np.maximum.at(best, owner, z_sentences)
    return (1.0 - weight) * z + weight * best


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


def _index(grams: list[str]) -> HashIndex:
    hashes = hash_strings(grams)
    if len(np.unique(hashes)) != len(hashes):
        raise ValueError("n-gram hash collision in the vocabulary")
    return HashIndex(hashes)


class Vectorizer:
    """Fixed vocabularies and idf weights; each block is L2-normalised on its own."""

    def __init__(
        self,
        word_grams_list: Sequence[str],
        char_grams_list: Sequence[str],
        word_idf: np.ndarray,
        char_idf: np.ndarray,
        silent: Iterable[str] = (),
    ) -> None:
        self.silent = frozenset(silent)
        self.word_list = list(word_grams_list)
        self.char_list = list(char_grams_list)
        self.word_idf = word_idf
        self.char_idf = char_idf
        self._word_index = _index(self.word_list)
        self._char_index = _index(self.char_list)
        self._word_vocab: dict[str, int] | None = None
        self._char_vocab: dict[str, int] | None = None

    @property
    def word_vocab(self) -> dict[str, int]:
        """Word gram -> column (built on first use, for explanations)."""
        if self._word_vocab is None:
            self._word_vocab = {g: i for i, g in enumerate(self.word_list)}
        return self._word_vocab

    @property
    def char_vocab(self) -> dict[str, int]:
        """Character n-gram -> column in the char block (built on first use, for explanations)."""
        if self._char_vocab is None:
            self._char_vocab = {g: i for i, g in enumerate(self.char_list)}
        return self._char_vocab

    @property
    def n_features(self) -> int:
        """Total number of features (word block first)."""
        return len(self.word_list) + len(self.char_list)

    def grams(self, normalized: Iterable[str]) -> BatchGrams:
        """Hashed grams of the words this vectorizer keeps (cached per batch)."""
        return batch_grams(tuple(normalized), self.silent)

    def entries(self, normalized: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Non-zero TF-IDF entries (rows, columns, values) and the number of texts."""
        texts = tuple(normalized)
        return self.entries_of(self.grams(texts), len(texts))

    def sentences(self, normalized: Iterable[str]) -> SentenceGrams:
        """Grams of the sentences of the texts that have several (`sentence_grams`)."""
        return sentence_grams(tuple(normalized), self.silent)

    def entries_of(
        self, grams: BatchGrams, n: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        """Non-zero TF-IDF entries of `n` rows of hashed grams."""
        w_cols = self._word_index.lookup(grams.word_hashes)
        hit = w_cols >= 0
        wr, wc, wv = _tfidf(grams.word_rows[hit], w_cols[hit], n, self.word_idf)
        c_cols = self._char_index.lookup(grams.char_hashes)
        hit = c_cols >= 0
        cr, cc, cv = _tfidf(grams.char_rows[hit], c_cols[hit], n, self.char_idf)
        offset = len(self.word_list)
        rows = np.concatenate([wr, cr])
        return rows, np.concatenate([wc, cc + offset]), np.concatenate([wv, cv]), n

    def transform(self, normalized: Iterable[str]) -> sp.csr_matrix:
        """Sparse TF-IDF matrix for already normalised texts."""
        rows, cols, vals, n = self.entries(normalized)
        return sp.csr_matrix((vals, (rows, cols)), shape=(n, self.n_features))


# Fewer (row, column) pairs than this are counted by one sort: a sparse matrix costs more to
# build than it saves on a comment or a few.
_SORT_BELOW = 20_000


def _tfidf(
    rows: np.ndarray, cols: np.ndarray, n: int, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Count (row, col) pairs, apply sublinear tf and idf, and L2-normalise each row."""
    width = max(len(idf), 1)
    if len(rows) < _SORT_BELOW:
        keys, counts = np.unique(rows * width + cols, return_counts=True)
        r, c = keys // width, keys % width
    else:
        # A batch: scipy's COO -> CSR conversion counts the pairs row by row (sorted,
        # duplicates summed), cheaper than sorting every (row, column) key at once. Same
        # entries in the same order (tests/ml/test_features.py).
        counted = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, width))
        counted.sum_duplicates()
        r = np.repeat(np.arange(n, dtype=np.int64), np.diff(counted.indptr))
        c = counted.indices.astype(np.int64)
        counts = counted.data
    v = (1.0 + np.log(counts)) * idf[c]  # sublinear tf: repeats say less
    norms = np.sqrt(np.bincount(r, weights=v * v, minlength=n))
    return r, c, v / np.where(norms > 0, norms, 1.0)[r]


def fit_vectorizer(
    normalized: Sequence[str],
    min_df: int = 2,
    max_word: int = 100_000,
    max_char: int = 250_000,
    silent: frozenset[str] = NO_WORDS,
) -> Vectorizer:
    """Choose vocabularies by document frequency (ties broken alphabetically) and compute idf."""
    word_df: Counter[str] = Counter()
    char_df: Counter[str] = Counter()
    for norm in normalized:
        wg, cg = analyze(norm, silent)
        word_df.update(set(wg))
        char_df.update(set(cg))
    n = len(normalized)

    def pick(df: Counter[str], cap: int) -> tuple[dict[str, int], np.ndarray]:
        kept = sorted((g for g, c in df.items() if c >= min_df), key=lambda g: (-df[g], g))[:cap]
        idf = np.array([math.log((1 + n) / (1 + df[g])) + 1.0 for g in kept], dtype=np.float64)
        return {g: i for i, g in enumerate(kept)}, idf

    word_vocab, word_idf = pick(word_df, max_word)
    char_vocab, char_idf = pick(char_df, max_char)
    return Vectorizer(list(word_vocab), list(char_vocab), word_idf, char_idf, silent)
