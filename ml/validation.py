"""Validation schemes: leave-one-video-out (spam), each dataset's own split (toxicity)."""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm import tqdm

from ml import data as D
from ml import news, spamassassin
from ml.corpus import Corpus
from ml.evaluate import binary_metrics
from ml.fit import SENTENCE_WEIGHT, fit_all_labels, fit_platt, logits
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
    # Validation tweets and news comments never train: those with a link measure what happens
    # to people who link.
    weak = np.isin(corpus.source, [D.TWEET_SOURCE, news.NEWS_NOT_SPAM])
    held_tweets = weak & (corpus.split == "val")
    has_link = np.array(["urltoken" in t for t in corpus.texts])
    linking = held_tweets & has_link
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
        "clean_scores": {
            f"{name} with a link (validation splits)": sigmoid(a * tweet_logits[mask] + b)
            for name, mask in (
                ("tweets", corpus.source[linking] == D.TWEET_SOURCE),
                ("clean news comments", corpus.group[linking] == "news-clean"),
            )
        },
    }


N_FOLDS = 4


def news_folds(corpus: Corpus, n_folds: int = N_FOLDS, seed: int = 7) -> np.ndarray:
    """Fold of each row: news rows by article or thread (toxic-spans posts one by one), -1 for
    SemEval trial posts (never trained on), -2 for rows that always train."""
    fold = np.full(len(corpus.texts), -2)
    groups = sorted(
        {g for g, s in zip(corpus.group, corpus.source, strict=True) if s in news.NEWS_SOURCES}
    )
    order = np.random.default_rng(seed).permutation(len(groups))
    fold_of = {groups[i]: k % n_folds for k, i in enumerate(order)}
    rng = np.random.default_rng(seed + 1)
    for i, (g, s) in enumerate(zip(corpus.group, corpus.source, strict=True)):
        if g == news.TSD_TRIAL_GROUP:
            fold[i] = -1
        elif s == news.CIVIL_SPANS:
            fold[i] = int(rng.integers(n_folds))  # no article id: post by post
        elif s in news.NEWS_SOURCES:
            fold[i] = fold_of[g]
    return fold


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4) if len(set(y.tolist())) == 2 else None


def bias_metrics(
    p: np.ndarray, toxic: np.ndarray, subgroups: list[tuple[str, ...]]
) -> dict[str, dict[str, Any]]:
    """Jigsaw unintended-bias metrics per identity: subgroup AUC, BPSN and BNSP AUC."""
    out: dict[str, dict[str, Any]] = {}
    for identity in news.IDENTITY_COLUMNS:
        inside = np.array([identity in g for g in subgroups], dtype=bool)
        if inside.sum() < 10:
            continue
        bpsn = (inside & ~toxic) | (~inside & toxic)
        bnsp = (inside & toxic) | (~inside & ~toxic)
        out[identity] = {
            "rows": int(inside.sum()),
            "toxic": int((inside & toxic).sum()),
            "subgroup_auc": _auc(toxic[inside], p[inside]),
            "bpsn_auc": _auc(toxic[bpsn], p[bpsn]),
            "bnsp_auc": _auc(toxic[bnsp], p[bnsp]),
        }
    return out


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[list[float]]:
    """Mean predicted and observed rate per score decile: [[predicted, observed, rows], ...]."""
    order = np.argsort(p, kind="stable")
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk):
            out.append(
                [round(float(p[chunk].mean()), 4), round(float(y[chunk].mean()), 4), len(chunk)]
            )
    return out


def validate_toxicity(
    corpus: Corpus, c: float, bar: tqdm, identities: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """News comments, cross-validated by article or thread: out-of-fold scores for every news
    row (SemEval trial posts scored by every fold model, never trained on), Platt-calibrated."""
    labels = LABELS["toxicity"]
    fold = news_folds(corpus)
    z = np.zeros((len(corpus.texts), len(labels)))
    trial = fold == -1
    for k in range(N_FOLDS):
        bar.set_postfix_str(f"fold {k + 1}/{N_FOLDS}")
        fitted = fit_all_labels(corpus.subset((fold != k) & (fold != -1)), c, labels)
        test = fold == k
        weight = SENTENCE_WEIGHT["toxicity"]
        z[test] = logits(*fitted, corpus.subset(test).texts, weight)
        z[trial] += logits(*fitted, corpus.subset(trial).texts, weight) / N_FOLDS
        bar.update(1)
    scored = fold >= -1
    y = corpus.y
    calibration = []
    for j in range(len(labels)):
        defined = scored & ~np.isnan(y[:, j])
        calibration.append(list(fit_platt(z[defined, j], y[defined, j])))
    cal = np.array(calibration)
    p = sigmoid(z * cal[:, 0] + cal[:, 1])
    tox = y[:, 0]
    # Clean: Civil Comments sample and Fox comments below 0.5. Abusive: 0.5 or more. Toxic-spans
    # posts that most span raters called "not toxic" are disputed and left out of both.
    disputed = (corpus.source == news.CIVIL_SPANS) & (tox < 0.5)
    clean = scored & (tox < 0.5) & ~disputed
    abusive = scored & (tox >= 0.5)
    per_label: dict[str, Any] = {}
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {label: {} for label in labels}
    positive: dict[str, np.ndarray] = {}
    for j, label in enumerate(labels):
        defined = scored & ~np.isnan(y[:, j])
        if j == 0:
            defined &= ~disputed
        hard = (y[:, j] >= 0.5) & defined
        positive[label] = hard
        per_label[label] = binary_metrics(y[defined, j], p[defined, j], threshold=0.5)
        per_label[label]["by_source"] = {
            source: _auc(hard[rows], p[rows, j])
            for source in news.NEWS_SOURCES
            if (rows := defined & (corpus.source == source)).any()
        }
        per_label[label]["reliability"] = reliability(hard[defined].astype(float), p[defined, j])
        curves[label]["news (out-of-fold)"] = (y[defined, j], p[defined, j])
    by_source = {}
    for source in news.NEWS_SOURCES:
        rows = (clean | abusive) & (corpus.source == source)
        by_source[source] = {
            "rows": int(rows.sum()),
            "abusive": int((rows & abusive).sum()),
            "roc_auc": _auc(abusive[rows], p[rows, 0]),
        }
    trial_rows = trial & (clean | abusive)
    by_source["SemEval trial posts (never trained on)"] = {
        "rows": int(trial_rows.sum()),
        "abusive": int((trial_rows & abusive).sum()),
        "roc_auc": None,
    }
    clean_median = {
        source: round(float(np.median(p[clean & (corpus.source == source), 0])), 4)
        for source in news.NEWS_SOURCES
        if (clean & (corpus.source == source)).any()
    }
    sample = scored & (corpus.source == news.CIVIL_SAMPLE)
    keyed = [identities.get(D.text_key(corpus.raw[i])) for i in np.flatnonzero(sample)]
    has_identity = np.array([k is not None for k in keyed], dtype=bool)
    rows = np.flatnonzero(sample)[has_identity]
    bias = bias_metrics(p[rows, 0], tox[rows] >= 0.5, [k for k in keyed if k is not None])
    bar.set_postfix_str("alt-profanity-check")
    baseline = profanity_check_scores([corpus.raw[i] for i in np.flatnonzero(clean | abusive)])
    bar.update(1)
    base_auc = _auc(abusive[clean | abusive], baseline) if baseline is not None else None
    return {
        "scheme": (
            f"news comments, {N_FOLDS}-fold cross-validation grouped by article (Civil Comments "
            "sample), thread (Fox) or post (toxic spans); SemEval trial posts never trained on; "
            "tweets and site CSVs always train"
        ),
        "labels": per_label,
        "by_source": by_source,
        "alt_profanity_check_auc": base_auc,
        "calibration": calibration,
        "curves": curves,
        "clean_median_toxicity": clean_median,
        "bias": bias,
        "disputed_rows": int((disputed & scored).sum()),
        "news_scores": (
            {label: p[:, j] for j, label in enumerate(labels)},
            positive,
            abusive,
            clean,
        ),
    }
