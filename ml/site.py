"""A site's own layer on top of a shared model: learned from the site's labels, small, no pickle.

The layer rescores the shared model's main label (toxicity or spam). Its logit is

    scale * z + bias + w . h(text)

where z is the shared model's calibrated logit, h(text) a hashed, L2-normalised bag of the
text's words and word pairs, and (scale, bias, w) are fitted on the site's labels with penalties
that pull them towards (1, 0, 0): with few labels the layer stays the shared model. A layer whose
internal cross-validation does not beat the shared model keeps w = 0 (it only recalibrates), so
a site's labels never make its ranking worse than the shared model's on its own folds.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from ml.features import tokenize
from ml.model import Model, sigmoid
from ml.normalize import normalize

FORMAT = 1
ARRAYS_FILE = "site_layer.npz"
META_FILE = "site_layer.json"
N_BUCKETS = 2**15
# Penalties (1/C) on the hashed weights and on (scale - 1, bias), fixed before measuring on Fox
# (0.3 and 3 for the words were tried there too: README, "Learning from moderators").
WORD_PENALTY = 1.0
CALIBRATION_PENALTY = 10.0
CV_FOLDS = 5
P_EPS = 1e-6


class SiteLayerError(Exception):
    """A site layer is missing, damaged, or its training data is unusable."""


def _bucket(gram: str) -> int:
    # crc32 is stable across processes (Python's hash() is salted per process).
    return zlib.crc32(gram.encode("utf-8")) % N_BUCKETS


def hashed_features(texts: Sequence[str]) -> sp.csr_matrix:
    """Binary word and word-pair buckets of each normalised text, rows L2-normalised."""
    indptr = [0]
    indices: list[int] = []
    for text in texts:
        words = [m.group(0) for m in tokenize(normalize(text))]
        grams = set(words) | {f"{a} {b}" for a, b in itertools.pairwise(words)}
        buckets = sorted({_bucket(g) for g in grams})
        indices.extend(buckets)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    x = sp.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(texts), N_BUCKETS),
    )
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ x)


def shared_logits(model: Model, texts: Sequence[str]) -> np.ndarray:
    """The shared model's calibrated logit of its main label, through its public scoring."""
    p = np.clip(model.score(list(texts)), P_EPS, 1 - P_EPS)
    return np.log(p / (1 - p))


@dataclass
class SiteLayer:
    """Rescores one shared model's main label for one site."""

    model_name: str
    label: str
    scale: float = 1.0
    bias: float = 0.0
    weights: np.ndarray = field(default_factory=lambda: np.zeros(N_BUCKETS, dtype=np.float32))
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, z: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        out = self.scale * np.asarray(z, dtype=np.float64) + self.bias
        if np.any(self.weights):
            out = out + hashed_features(texts) @ self.weights.astype(np.float64)
        return out

    def score(self, model: Model, texts: Sequence[str]) -> np.ndarray:
        """The site's probability of the main label for each text."""
        if len(texts) == 0:
            return np.zeros(0)
        return sigmoid(self.logits(shared_logits(model, texts), texts))

    def score_labels(self, model: Model, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Every label of the shared model, the main one rescored by this layer."""
        scores = model.score_labels(list(texts))
        z = np.log(np.clip(scores[self.label], P_EPS, 1 - P_EPS))
        z = z - np.log(np.clip(1 - scores[self.label], P_EPS, 1))
        scores[self.label] = sigmoid(self.logits(z, texts))
        return scores


def _fit(
    z: np.ndarray,
    x: sp.csr_matrix,
    y: np.ndarray,
    sample_weight: np.ndarray,
    word_penalty: float,
    use_words: bool,
) -> tuple[float, float, np.ndarray]:
    """Penalised logistic fit of (scale, bias, w) by L-BFGS; deterministic."""
    # Only buckets the rows use can move away from 0: fit those, the rest stay 0.
    used = np.unique(x.indices) if use_words else np.zeros(0, dtype=np.int64)
    full_width = x.shape[1]
    x = x[:, used]
    n_w = len(used)
    total = float(sample_weight.sum()) or 1.0

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        scale, bias, w = theta[0], theta[1], theta[2:]
        logit = scale * z + bias + (x @ w if n_w else 0.0)
        p = sigmoid(logit)
        loss = np.logaddexp(0, logit) - y * logit
        err = sample_weight * (p - y)
        value = float(sample_weight @ loss) / total
        grad = np.empty_like(theta)
        grad[0] = float(err @ z) / total + CALIBRATION_PENALTY * (scale - 1.0) / total
        grad[1] = float(err.sum()) / total + CALIBRATION_PENALTY * bias / total
        value += CALIBRATION_PENALTY * ((scale - 1.0) ** 2 + bias**2) / (2 * total)
        if n_w:
            grad[2:] = (x.T @ err) / total + word_penalty * w / total
            value += word_penalty * float(w @ w) / (2 * total)
        return value, grad

    theta0 = np.zeros(2 + n_w)
    theta0[0] = 1.0
    result = minimize(objective, theta0, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    theta = result.x
    w = np.zeros(full_width)
    w[used] = theta[2:]
    return float(theta[0]), float(theta[1]), w


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    hard = (np.asarray(y) >= 0.5).astype(int)
    if len(set(hard.tolist())) < 2:
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(hard, p))


def _cv_gain(
    z: np.ndarray, x: sp.csr_matrix, y: np.ndarray, sw: np.ndarray, seed: int
) -> float | None:
    """Mean out-of-fold ROC-AUC gain of the word layer over the shared model's ranking."""
    hard = (y >= 0.5).astype(int)
    if min(int(hard.sum()), int(len(hard) - hard.sum())) < CV_FOLDS:
        return None
    order = np.random.default_rng(seed).permutation(len(y))
    folds = np.empty(len(y), dtype=int)
    # Stratified: each class dealt round the folds in the shuffled order.
    for cls in (0, 1):
        members = order[hard[order] == cls]
        folds[members] = np.arange(len(members)) % CV_FOLDS
    oof = np.empty(len(y))
    for k in range(CV_FOLDS):
        train, test = folds != k, folds == k
        scale, bias, w = _fit(z[train], x[train], y[train], sw[train], WORD_PENALTY, True)
        oof[test] = scale * z[test] + bias + x[test] @ w
    gains = []
    for k in range(CV_FOLDS):
        test = folds == k
        base, layer = _auc(y[test], z[test]), _auc(y[test], oof[test])
        if base is not None and layer is not None:
            gains.append(layer - base)
    return float(np.mean(gains)) if gains else None


def fit_site_layer(
    model: Model,
    texts: Sequence[str],
    labels: Sequence[float] | np.ndarray,
    *,
    sample_weight: Sequence[float] | None = None,
    seed: int = 13,
) -> SiteLayer:
    """Fit a site's layer on its labelled texts (labels 0/1 or probabilities)."""
    if len(texts) != len(labels):
        raise SiteLayerError(f"{len(texts)} texts but {len(labels)} labels")
    y = np.asarray(labels, dtype=np.float64)
    if len(y) == 0 or np.any((y < 0) | (y > 1)):
        raise SiteLayerError("labels must be probabilities in [0, 1], at least one")
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    z = shared_logits(model, texts)
    x = hashed_features(texts)
    gain = _cv_gain(z, x, y, sw, seed)
    use_words = gain is not None and gain > 0.0
    scale, bias, w = _fit(z, x, y, sw, WORD_PENALTY, use_words)
    hard = y >= 0.5
    meta = {
        "rows": len(y),
        "positives": int(hard.sum()),
        "cv_auc_gain": None if gain is None else round(gain, 4),
        "uses_words": use_words,
        "shared_version": model.version,
        "word_penalty": WORD_PENALTY,
        "calibration_penalty": CALIBRATION_PENALTY,
        "seed": seed,
    }
    return SiteLayer(model.name, model.labels[0], scale, bias, w.astype(np.float32), meta)


def save_site_layer(layer: SiteLayer, folder: Path) -> str:
    """Write the layer (sparse weights in .npz, the rest JSON); return its content digest."""
    folder.mkdir(parents=True, exist_ok=True)
    nonzero = np.flatnonzero(layer.weights).astype(np.int32)
    buf = io.BytesIO()
    np.savez_compressed(buf, index=nonzero, value=layer.weights[nonzero].astype(np.float32))
    data = buf.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    (folder / ARRAYS_FILE).write_bytes(data)
    doc = {
        **layer.meta,
        "format": FORMAT,
        "model": layer.model_name,
        "label": layer.label,
        "scale": layer.scale,
        "bias": layer.bias,
        "buckets": N_BUCKETS,
        "arrays_sha256": digest,
    }
    (folder / META_FILE).write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    return digest


def load_site_layer(folder: Path) -> SiteLayer:
    """Read a layer written by save_site_layer, without unpickling anything."""
    try:
        doc = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        data = (folder / ARRAYS_FILE).read_bytes()
    except (OSError, ValueError) as exc:
        raise SiteLayerError(f"cannot read the site layer in {folder}: {exc}") from exc
    if doc.get("format") != FORMAT or doc.get("buckets") != N_BUCKETS:
        raise SiteLayerError(f"site layer in {folder} has another format; retrain it")
    if hashlib.sha256(data).hexdigest() != doc.get("arrays_sha256"):
        raise SiteLayerError(f"{folder / ARRAYS_FILE} does not match {folder / META_FILE}")
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            index, value = npz["index"], npz["value"]
        weights = np.zeros(N_BUCKETS, dtype=np.float32)
        weights[index] = value
    except (KeyError, ValueError, IndexError, zipfile.BadZipFile) as exc:
        raise SiteLayerError(f"damaged site layer in {folder}: {exc}") from exc
    meta = {k: v for k, v in doc.items() if k not in {"scale", "bias"}}
    return SiteLayer(
        str(doc["model"]), str(doc["label"]), float(doc["scale"]), float(doc["bias"]), weights, meta
    )


def auc(labels: Sequence[float] | np.ndarray, scores: Sequence[float] | np.ndarray) -> float | None:
    """ROC-AUC of scores against labels read as 0/1 at 0.5; None without both classes."""
    return _auc(np.asarray(labels, dtype=np.float64), np.asarray(scores, dtype=np.float64))


def site_curve(
    model: Model, texts: Sequence[str], labels: Sequence[float], sizes: Sequence[int], seed: int
) -> list[tuple[int, float | None]]:
    """ROC-AUC on the rows past the largest size, for the shared model (k=0) and for a layer
    fitted on the first k rows of each size, after a seeded shuffle of the rows."""
    largest = max(sizes)
    if len(texts) < largest + 100:
        raise SiteLayerError(
            f"{len(texts)} labelled rows; the largest size {largest} needs at least "
            f"{largest + 100} (100 rows beyond it to measure on)"
        )
    order = np.random.default_rng(seed).permutation(len(texts))
    texts = [texts[i] for i in order]
    y = np.asarray(labels, dtype=np.float64)[order]
    test_texts, test_y = texts[largest:], y[largest:]
    z_test = shared_logits(model, test_texts)
    points: list[tuple[int, float | None]] = [(0, _auc(test_y, z_test))]
    for k in sizes:
        layer = fit_site_layer(model, texts[:k], y[:k], seed=seed)
        points.append((k, _auc(test_y, layer.logits(z_test, test_texts))))
    return points
