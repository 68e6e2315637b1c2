"""Learners: one logistic regression per label over TF-IDF (and word vectors), Platt scaling."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from ml import data as D
from ml import news
from ml.corpus import Corpus, row_weights
from ml.features import IDENTITY_WORDS, NO_WORDS, fit_vectorizer, tokenize
from ml.model import Model
from ml.vectors import build_vectors

SEED = 20261128
# Regularisation picked from a handful of settings by leave-one-video-out AUC (spam) and by
# the Civil Comments and new-outlet figures (toxicity; ml/README.md has the step table).
C_VALUES = {"spam": 10.0, "toxicity": 1.0}
# Weight of a text's most toxic sentence against the whole text (ml.features.blend_sentences):
# without it the Civil Comments figure fell 0.809 -> 0.757 and the new-outlet one 0.595 -> 0.588.
SENTENCE_WEIGHT = {"spam": 0.0, "toxicity": 0.5}
# Mean GloVe word vector beside the TF-IDF features (ml.vectors): "idf"-weighted, or None.
VECTORS: dict[str, str | None] = {"spam": None, "toxicity": "idf"}
# Identity words build no feature alone for toxicity (ml.features.IDENTITY_WORDS): without this
# the sub-labels learnt group names as evidence ("I am a Muslim woman": severe_toxicity 0.71).
SILENT_WORDS = {"spam": NO_WORDS, "toxicity": IDENTITY_WORDS}
# Sources whose base rate of abuse is their own (lexicon-sampled tweets, HatEval, Fox's
# narrower "hateful") get an indicator column while training, left out of the shipped model, so
# a platform's share of abuse is not learnt as a property of the words that platform uses.
SOURCE_INDICATORS: dict[str, tuple[str, ...]] = {
    "spam": (),
    "toxicity": ("davidson", "olid", D.HATEVAL_SOURCE, news.FOX),
}
# (share, C) of a linear SVM whose weights are averaged into the logistic regression's (one
# linear model: free at inference), and a multiplier per feature block (word grams, character
# grams, word vectors) while fitting, folded back into the weights: a regularisation of its own
# per block. Both off as shipped; `python -m ml steps` measures settings of them (ml/README.md).
SVM = {"spam": (0.0, 1.0), "toxicity": (0.0, 1.0)}
BLOCK_SCALE = {"spam": (1.0, 1.0, 1.0), "toxicity": (1.0, 1.0, 1.0)}


def _expand_soft(y: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, 0/1 targets and weights: a row with p in (0,1) counts as p positive and 1-p not."""
    soft = (y > 0.0) & (y < 1.0)
    rows = np.concatenate([np.arange(len(y)), np.flatnonzero(soft)])
    target = np.concatenate([(y >= 0.5) | soft, np.zeros(int(soft.sum()), dtype=bool)])
    weight = np.concatenate([np.where(soft, y, 1.0), 1.0 - y[soft]]) * w[rows]
    return rows, target.astype(int), weight


def fit_logistic(
    x: Any, y: np.ndarray, c: float, w: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Logistic regression on soft labels (liblinear, dual: fewer rows than features)."""
    w = np.ones(len(y)) if w is None else w
    rows, target, weight = _expand_soft(y, w)
    if len(set(target.tolist())) < 2:
        return np.zeros(x.shape[1]), _constant_logit(target)
    clf = LogisticRegression(C=c, solver="liblinear", dual=True, max_iter=1000, random_state=0)
    clf.fit(x[rows], target, sample_weight=weight)
    return clf.coef_[0], float(clf.intercept_[0])


def fit_svm(x: Any, y: np.ndarray, c: float, w: np.ndarray) -> tuple[np.ndarray, float]:
    """A linear SVM on the same soft labels (for SVM)."""
    rows, target, weight = _expand_soft(y, w)
    if len(set(target.tolist())) < 2:
        return np.zeros(x.shape[1]), _constant_logit(target)
    clf = LinearSVC(C=c, dual=True, max_iter=5000, random_state=0)
    clf.fit(x[rows], target, sample_weight=weight)
    return clf.coef_[0], float(clf.intercept_[0])


def _constant_logit(target: np.ndarray) -> float:
    """A label seen with one class only (tiny or filtered data): a confident constant."""
    return 4.0 if len(target) and target[0] == 1 else -4.0


def fit_platt(z: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Platt scaling p = sigmoid(a*z + b) fitted on held-out logits (soft labels allowed)."""
    rows, target, weight = _expand_soft(y, np.ones(len(y)) if w is None else w)
    if len(set(target.tolist())) < 2:
        return 1.0, 0.0  # nothing to calibrate against: keep the logits as they are
    zz = z[rows][:, None]
    clf = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    clf.fit(zz, target, sample_weight=weight)
    return float(clf.coef_[0, 0]), float(clf.intercept_[0])


def fit_all_labels(corpus: Corpus, c: float, labels: tuple[str, ...]) -> Model:
    """One vectorizer (and word-vector table), one logistic regression per label on the rows
    where the label is defined; an uncalibrated, unsaved Model."""
    name = labels[0]
    silent = SILENT_WORDS[name]
    vec = fit_vectorizer(corpus.texts, silent=silent)
    x = vec.transform(corpus.texts)
    vectors = None
    if VECTORS[name]:
        docs = [[m.group(0) for m in tokenize(t) if m.group(0) not in silent] for t in corpus.texts]
        vectors, _ = build_vectors(docs, str(VECTORS[name]))
        dense = vectors.features(vec.grams(corpus.texts), len(corpus.texts))
        x = sp.hstack([x, sp.csr_matrix(dense)], format="csr")
    width = x.shape[1]
    indicators = [s for s in SOURCE_INDICATORS[name] if (corpus.source == s).any()]
    if indicators:
        extra = np.column_stack([corpus.source == s for s in indicators]).astype(np.float64)
        x = sp.hstack([x, sp.csr_matrix(extra)], format="csr")
    n = vec.n_features
    scale = np.ones(x.shape[1])
    if BLOCK_SCALE[name] != (1.0, 1.0, 1.0):
        word = len(vec.word_list)
        for block, value in zip(((0, word), (word, n), (n, width)), BLOCK_SCALE[name], strict=True):
            scale[slice(*block)] = value
        x = x.multiply(scale[None, :]).tocsr()
    n_labels = corpus.y.shape[1]
    coef = np.zeros((n_labels, x.shape[1]))
    intercept = np.zeros(n_labels)
    share, svm_c = SVM[name]
    for j in range(n_labels):
        defined = ~np.isnan(corpus.y[:, j])
        w = row_weights(corpus, labels[j], j)[defined]
        coef[j], intercept[j] = fit_logistic(x[defined], corpus.y[defined, j], c, w)
        if share:
            svm_coef, svm_intercept = fit_svm(x[defined], corpus.y[defined, j], svm_c, w)
            coef[j] = (1.0 - share) * coef[j] + share * svm_coef
            intercept[j] = (1.0 - share) * intercept[j] + share * svm_intercept
    coef *= scale
    return Model(
        name,
        labels[:n_labels],
        vec,
        coef[:, :n],
        intercept,
        np.tile([1.0, 0.0], (n_labels, 1)),
        {label: {"publish": 1.0, "reject": None} for label in labels[:n_labels]},
        meta={"sentence_weight": SENTENCE_WEIGHT[name]},
        vectors=vectors,
        vector_coef=coef[:, n:width] if vectors is not None else None,
    )
