"""Validation schemes: leave-one-video-out (spam), each dataset's own split (toxicity)."""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm import tqdm

from ml import data as D
from ml import spamassassin
from ml.corpus import Corpus
from ml.evaluate import binary_metrics
from ml.fit import fit_all_labels, fit_platt, logits
from ml.model import LABELS, sigmoid


def profanity_check_scores(texts: list[str]) -> np.ndarray | None:
    """alt-profanity-check probabilities for comparison, or None if it is not installed."""
    try:
        from profanity_check import predict_prob
    except ImportError:
        return None
    return np.asarray(predict_prob(list(texts)), dtype=np.float64)


# Media other than YouTube comments: each is also held out whole, to measure a platform unseen.
OTHER_MEDIA = ("sms", spamassassin.SOURCE)


def validate_spam(corpus: Corpus, c: float, bar: tqdm) -> dict[str, Any]:
    """Leave-one-video-out: train on three videos + SMS + e-mail + tweets (+ extra), test on the
    fourth; then each other medium held out whole (trained on everything else)."""
    labels = LABELS["spam"]
    videos = sorted({g for g, s in zip(corpus.group, corpus.source, strict=True) if s == "youtube"})
    oof = np.full(len(corpus.texts), np.nan)
    # Validation tweets with a link never train: they measure what happens to people who link.
    held_tweets = (corpus.source == D.TWEET_SOURCE) & (corpus.split == "val")
    linking = held_tweets & np.array(["urltoken" in t for t in corpus.texts])
    tweet_logits = np.zeros(int(linking.sum()))
    for video in videos:
        bar.set_postfix_str(f"fold {video}")
        test = corpus.group == video
        vec, coef, intercept = fit_all_labels(corpus.subset(~test & ~held_tweets), c, labels)
        oof[test] = logits(vec, coef, intercept, corpus.subset(test).texts)[:, 0]
        tweet_logits += logits(vec, coef, intercept, corpus.subset(linking).texts)[:, 0] / len(
            videos
        )
        bar.update(1)
    # Each fold is scored with a calibration fitted on the other videos' held-out logits.
    folds = {}
    for video in videos:
        test = corpus.group == video
        others = (corpus.source == "youtube") & ~test
        a, b = fit_platt(oof[others], corpus.y[others, 0])
        folds[video] = binary_metrics(corpus.y[test, 0], sigmoid(a * oof[test] + b), 0.5)
    yt = corpus.source == "youtube"
    a, b = fit_platt(oof[yt], corpus.y[yt, 0])
    media = {}
    for medium in OTHER_MEDIA:
        bar.set_postfix_str(f"without {medium}")
        held = corpus.source == medium
        vec, coef, intercept = fit_all_labels(corpus.subset(~held & ~held_tweets), c, labels)
        z = logits(vec, coef, intercept, corpus.subset(held).texts)[:, 0]
        media[medium] = binary_metrics(corpus.y[held, 0], sigmoid(a * z + b), 0.5)
        bar.update(1)
    p = sigmoid(a * oof[yt] + b)
    y = corpus.y[yt, 0]
    mean = {
        k: float(np.mean([f[k] for f in folds.values() if f[k] is not None]))
        for k in ("roc_auc", "f1", "ap")
    }
    return {
        "scheme": "leave-one-video-out (3 videos + SMS + e-mail + tweets, test on the 4th)",
        "folds": folds,
        "mean": mean,
        "calibration": [[a, b]],
        "calibrated": {"youtube (out-of-fold)": binary_metrics(y, p, threshold=0.5)},
        "other_media": media,
        "curves": {"spam": {"youtube (out-of-fold)": (y, p)}},
        "threshold_scores": (y, p),
        "clean_scores": {"tweets with a link (validation splits)": sigmoid(a * tweet_logits + b)},
    }


def validate_toxicity(corpus: Corpus, c: float, bar: tqdm) -> dict[str, Any]:
    """Train on train splits; calibrate and measure on each dataset's validation split."""
    labels = LABELS["toxicity"]
    train = corpus.split == "train"
    bar.set_postfix_str("validation fit")
    vec, coef, intercept = fit_all_labels(corpus.subset(train), c, labels)
    bar.update(1)
    val = corpus.subset(~train)
    z = logits(vec, coef, intercept, val.texts)
    # Calibration and thresholds rest on rows labelled for abuse; the weak negatives are only
    # measured (how many of them would be published).
    weak = np.isin(val.source, D.CONVERSATION_SOURCES)
    calibration = []
    for j in range(len(labels)):
        defined = ~np.isnan(val.y[:, j]) & ~weak
        calibration.append(list(fit_platt(z[defined, j], val.y[defined, j])))
    cal = np.array(calibration)
    p = sigmoid(z * cal[:, 0] + cal[:, 1])
    bar.set_postfix_str("alt-profanity-check")
    baseline = profanity_check_scores(val.raw)
    bar.update(1)
    per_dataset: dict[str, Any] = {}
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {label: {} for label in labels}
    for source in sorted(set(val.source) - set(D.CONVERSATION_SOURCES)):
        rows = val.source == source
        entry: dict[str, Any] = {"rows": int(rows.sum())}
        for j, label in enumerate(labels):
            defined = rows & ~np.isnan(val.y[:, j])
            if defined.sum() == 0 or len(set((val.y[defined, j] >= 0.5).tolist())) < 2:
                continue
            y = val.y[defined, j]
            entry[label] = binary_metrics(y, p[defined, j], threshold=0.5)
            curves[label][source] = (y, p[defined, j])
            if j == 0 and baseline is not None:
                entry["alt_profanity_check"] = binary_metrics(y, baseline[defined], 0.5)
        per_dataset[source] = entry
    main = ~np.isnan(val.y[:, 0]) & ~weak
    return {
        "scheme": "train splits -> each dataset's validation split",
        "datasets": per_dataset,
        "calibration": calibration,
        "curves": curves,
        "threshold_scores": (val.y[main, 0], p[main, 0]),
        "clean_scores": {s: p[val.source == s, 0] for s in D.CONVERSATION_SOURCES},
    }
