"""Validation schemes: leave-one-video-out (spam), each dataset's own split (toxicity)."""

from __future__ import annotations

from typing import Any

import numpy as np
from tqdm import tqdm

from ml import data as D
from ml import news, spamassassin
from ml.corpus import Corpus
from ml.evaluate import binary_metrics
from ml.fit import fit_all_labels, fit_platt
from ml.model import LABELS, Model, sigmoid
from ml.reference import fit_reference


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
    # Held-out clean news comments (all of them, with or without a link) and tweets with a link.
    clean_news = held_tweets & np.char.startswith(corpus.group.astype(str), news.NEWS_CLEAN)
    stream_rows = held_tweets & np.char.endswith(corpus.group.astype(str), news.CIVIL_SAMPLE)
    measured = (held_tweets & has_link) | clean_news | stream_rows
    held_logits = np.zeros(int(measured.sum()))
    for video in videos:
        bar.set_postfix_str(f"fold {video}")
        test = corpus.group == video
        model = fit_all_labels(corpus.subset(~test & ~held_tweets), c, labels)
        oof[test] = model.normalized_logits(corpus.subset(test).texts)[:, 0]
        held_logits += model.normalized_logits(corpus.subset(measured).texts)[:, 0] / len(videos)
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
    media, media_scores = {}, {}
    for medium in OTHER_MEDIA:
        bar.set_postfix_str(f"without {medium}")
        held = corpus.source == medium
        model = fit_all_labels(corpus.subset(~held & ~held_tweets), c, labels)
        z = model.normalized_logits(corpus.subset(held).texts)[:, 0]
        media[medium] = binary_metrics(corpus.y[held, 0], sigmoid(a * z + b), 0.5)
        media_scores[medium] = (corpus.y[held, 0], sigmoid(a * z + b))
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
        "media_scores": media_scores,
        # The natural stream: held-out clean Civil Comments sample posts (news.NEWS_CLEAN).
        "stream_clean_scores": sigmoid(
            a * held_logits[corpus.group[measured] == news.STREAM_CLEAN] + b
        ),
        # Every held-out stream post (clean or toxic), by text, for the full decision rule.
        "stream_scores": {
            D.text_key(corpus.raw[i]): float(sigmoid(a * held_logits[k] + b))
            for k, i in enumerate(np.flatnonzero(measured))
            if stream_rows[i]
        },
        "clean_scores": {
            f"{name} (validation splits)": sigmoid(a * held_logits[mask] + b)
            for name, mask in (
                ("tweets with a link", corpus.source[measured] == D.TWEET_SOURCE),
                ("clean news comments", clean_news[measured]),
                ("clean news comments with a link", (clean_news & has_link)[measured]),
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


def fold_splits(fold: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) rows of each news fold; SemEval trial posts (-1) never train."""
    return [((fold != k) & (fold != -1), fold == k) for k in range(N_FOLDS)]


def new_outlet_split(corpus: Corpus, fold: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) of the new-outlet figure: everything but Fox and the trial posts; Fox."""
    fox = corpus.source == news.FOX
    return (fold != -1) & ~fox, fox


def fit_toxicity(corpus: Corpus, train: np.ndarray, c: float) -> Model:
    """The model fitted on `train` for the toxicity label alone (its sub-labels left out)."""
    part = corpus.subset(train)
    part.y = part.y[:, :1]
    return fit_all_labels(part, c, LABELS["toxicity"])


def rounded_auc(y: np.ndarray, p: np.ndarray) -> float | None:
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
            "subgroup_auc": rounded_auc(toxic[inside], p[inside]),
            "bpsn_auc": rounded_auc(toxic[bpsn], p[bpsn]),
            "bnsp_auc": rounded_auc(toxic[bnsp], p[bnsp]),
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


def _stream_calibration(
    z: np.ndarray, y: np.ndarray, civil: np.ndarray, spans: np.ndarray
) -> tuple[float, float]:
    """Platt scaling of one label on the natural stream (the Civil Comments sample's held-out
    posts). Where the sample leaves the label undefined on its toxic posts (severe toxicity),
    the toxic-spans posts stand in for them, weighted to the same total."""
    defined = ~np.isnan(y)
    rows = civil & defined
    missing = int((civil & ~defined).sum())
    w = np.ones(len(y))
    if missing:
        extra = spans & defined
        if extra.any():
            w[extra] = missing / int(extra.sum())
            rows = rows | extra
    return fit_platt(z[rows], y[rows], w[rows])


def validate_toxicity(
    corpus: Corpus, c: float, bar: tqdm, identities: dict[str, tuple[str, ...]]
) -> dict[str, Any]:
    """News comments in folds by article (Civil Comments sample), thread (Fox) or post (toxic
    spans, extra positives: never in a headline figure); SemEval trial posts never trained on.
    The reference (ml.reference) is fitted and scored in the same folds. Then the new-outlet
    figure: trained without Fox, tested on all of Fox. Calibrated on the natural stream."""
    labels = LABELS["toxicity"]
    fold = news_folds(corpus)
    n = len(corpus.texts)
    z = np.zeros((n, len(labels)))
    ref = np.full(n, np.nan)
    trial = fold == -1
    civil = corpus.source == news.CIVIL_SAMPLE
    fox = corpus.source == news.FOX
    spans = corpus.source == news.CIVIL_SPANS
    for k, (train, test) in enumerate(fold_splits(fold)):
        bar.set_postfix_str(f"fold {k + 1}/{N_FOLDS}")
        model = fit_all_labels(corpus.subset(train), c, labels)
        z[test] = model.normalized_logits(corpus.subset(test).texts)
        z[trial] += model.normalized_logits(corpus.subset(trial).texts) / N_FOLDS
        scope = test & (civil | fox)
        ref[scope] = fit_reference(corpus, train).logits(corpus.subset(scope).raw)
        bar.update(1)
    bar.set_postfix_str("new outlet (without Fox)")
    train, fox = new_outlet_split(corpus, fold)
    z_new = fit_toxicity(corpus, train, c).normalized_logits(corpus.subset(fox).texts)[:, 0]
    ref_new = fit_reference(corpus, train).logits(corpus.subset(fox).raw)
    bar.update(1)
    scored = fold >= -1
    y = corpus.y
    tox = y[:, 0]
    toxic = tox >= 0.5
    headline = {
        "civil": _pair_auc(toxic[civil], z[civil, 0], ref[civil]),
        "new_outlet": _pair_auc(toxic[fox], z_new, ref_new),
        "fox_by_thread": _pair_auc(toxic[fox], z[fox, 0], ref[fox]),
    }
    stream = scored & civil
    calibration = [
        list(_stream_calibration(z[:, j], y[:, j], stream, scored & spans))
        for j in range(len(labels))
    ]
    cal = np.array(calibration)
    p = sigmoid(z * cal[:, 0] + cal[:, 1])
    p_new = sigmoid(z_new * cal[0, 0] + cal[0, 1])
    # Toxic-spans posts that most span raters called "not toxic" are disputed: left out.
    disputed = spans & (tox < 0.5)
    clean = scored & (tox < 0.5) & ~disputed
    abusive = scored & toxic
    per_label: dict[str, Any] = {}
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {label: {} for label in labels}
    positive: dict[str, np.ndarray] = {}
    for j, label in enumerate(labels):
        defined = scored & ~np.isnan(y[:, j])
        if j == 0:
            defined &= ~disputed
        hard = (y[:, j] >= 0.5) & defined
        positive[label] = hard
        on_stream = defined & civil
        per_label[label] = binary_metrics(y[on_stream, j], p[on_stream, j], threshold=0.5)
        per_label[label]["by_source"] = {
            source: rounded_auc(hard[rows], p[rows, j])
            for source in news.NEWS_SOURCES
            if (rows := defined & (corpus.source == source)).any()
        }
        # Within the toxic-spans posts (all rated toxic): the sub-labels' own task.
        per_label[label]["stream_reliability"] = reliability(y[on_stream, j], p[on_stream, j])
        curves[label]["natural stream (Civil Comments sample, out-of-fold)"] = (
            y[on_stream, j],
            p[on_stream, j],
        )
    curves["toxicity"]["Fox as a new outlet (trained without Fox)"] = (
        toxic[fox].astype(float),
        p_new,
    )
    clean_median = {
        source: round(float(np.median(p[clean & (corpus.source == source), 0])), 4)
        for source in (news.CIVIL_SAMPLE, news.FOX)
        if (clean & (corpus.source == source)).any()
    }
    sample = scored & civil
    keyed = [identities.get(D.text_key(corpus.raw[i])) for i in np.flatnonzero(sample)]
    has_identity = np.array([k is not None for k in keyed], dtype=bool)
    rows = np.flatnonzero(sample)[has_identity]
    bias = bias_metrics(p[rows, 0], tox[rows] >= 0.5, [k for k in keyed if k is not None])
    bar.set_postfix_str("alt-profanity-check")
    baseline = profanity_check_scores([corpus.raw[i] for i in np.flatnonzero(stream)])
    bar.update(1)
    base_auc = rounded_auc(toxic[stream], baseline) if baseline is not None else None
    return {
        "scheme": (
            f"{N_FOLDS} folds: Civil Comments sample by article, Fox by thread, toxic-spans posts "
            "one by one (extra positives, in no headline figure); SemEval trial posts never "
            "trained on; tweets and site CSVs always train. New outlet: trained without Fox, "
            "tested on all of Fox"
        ),
        "headline": headline,
        "labels": per_label,
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
            stream,
        ),
    }


def _pair_auc(y: np.ndarray, model: np.ndarray, reference: np.ndarray) -> dict[str, Any]:
    """The model's and the reference's ROC-AUC on the same rows."""
    return {
        "rows": len(y),
        "positive": int(y.sum()),
        "model": rounded_auc(y, model),
        "reference": rounded_auc(y, reference),
    }
