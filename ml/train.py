"""Training: load the corpus, validate, choose thresholds, fit the shipped model, write it."""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ml import corpus as K
from ml import data as D
from ml import fit as F
from ml import news
from ml.card import write_card
from ml.checklist import run_suite
from ml.corpus import SOURCE_WEIGHTS, Corpus, load_spam, load_toxicity, to_corpus
from ml.fit import C_VALUES, SEED, SENTENCE_WEIGHT, SILENT_WORDS, VECTORS, fit_all_labels
from ml.model import (
    DEFAULT_ARTIFACTS_DIR,
    LABELS,
    Model,
    ModelLoadError,
    Thresholds,
    load_model,
    save_model,
)
from ml.spans import choose_span_rule, mean_f1
from ml.thresholds import (
    PUBLISH,
    REJECT,
    choose_news_thresholds,
    choose_spam_thresholds,
    decide,
    flat_to_labels,
    operating_point,
)
from ml.validation import N_FOLDS, validate_spam, validate_toxicity
from ml.vectors import GLOVE_PACKAGE, GLOVE_SHA256


def _kept_path(name: str) -> Path:
    """Files kept outside the repository (validation scores), in $ML_DOWNLOAD_DIR."""
    keep = D.env_path("ML_DOWNLOAD_DIR", D.REPO_DIR / "var" / "data") / name
    keep.parent.mkdir(parents=True, exist_ok=True)
    return keep


STREAM_SPAM_SCORES = "spam-stream-scores.json"


def _spam_thresholds(report: dict[str, Any], shipping: bool) -> tuple[Thresholds, list[str]]:
    y_thr, p_thr = report.pop("threshold_scores")
    stream_clean = report.pop("stream_clean_scores")
    flat, notes = choose_spam_thresholds(y_thr, p_thr, stream_clean)
    # What the news thresholds cost on the other platforms' held-out spam and ham.
    costs = {"youtube (out-of-fold)": (y_thr, p_thr), **report.pop("media_scores")}
    report["threshold_costs"] = {
        name: {
            "spam_published": round(float(np.mean(p[y >= 0.5] < flat["publish"])), 4),
            "spam_rejected": round(float(np.mean(p[y >= 0.5] >= flat["reject"])), 4),
            "ham_published": round(float(np.mean(p[y < 0.5] < flat["publish"])), 4),
            "ham_rejected": round(float(np.mean(p[y < 0.5] >= flat["reject"])), 4),
        }
        for name, (y, p) in costs.items()
    }
    report["clean_outcomes"] = {
        source: {
            "rows": len(p),
            "published": round(float(np.mean(p < flat["publish"])), 4),
            "rejected": round(float(np.mean(p >= flat["reject"])), 4),
        }
        for source, p in report.pop("clean_scores", {}).items()
        if len(p)
    }
    # The toxicity training reads these to apply the full decision rule on the stream.
    stream_scores = report.pop("stream_scores")
    if shipping:
        _kept_path(STREAM_SPAM_SCORES).write_text(json.dumps(stream_scores))
    return flat_to_labels("spam", flat), notes


def _toxicity_thresholds(
    report: dict[str, Any], corpus: Corpus, shipping: bool
) -> tuple[Thresholds, list[str]]:
    scores, positive, abusive, clean, stream = report.pop("news_scores")
    if shipping:
        np.savez(
            _kept_path("toxicity-oof.npz"),
            abusive=abusive,
            clean=clean,
            stream=stream,
            **{f"score_{k}": v for k, v in scores.items()},
            **{f"positive_{k}": v for k, v in positive.items()},
        )
    thresholds, how = choose_news_thresholds(scores, positive, abusive, clean, stream)
    report["threshold_choice"] = how
    decisions = decide(scores, thresholds)
    stream_clean, stream_toxic = stream & clean, stream & abusive
    point = operating_point(decisions, stream_toxic, stream_clean)
    fox = corpus.source == news.FOX
    point["fox_check"] = operating_point(decisions, fox & abusive, fox & clean)
    threats = positive["threat"]
    point["threat_held"] = round(float(np.mean(decisions[threats] != PUBLISH)), 4)
    point["threats"] = int(threats.sum())
    severe = positive["severe_toxicity"]
    point["severe_rejected"] = round(float(np.mean(decisions[severe] == REJECT)), 4)
    point["full_rule"] = (
        _full_rule(scores, thresholds, corpus, stream, stream_toxic) if shipping else None
    )
    report["operating_point"] = point
    per_label = {}
    for label, t in thresholds.items():
        pos = positive[label]
        p = scores[label]
        entry: dict[str, Any] = {
            "positives": int(pos.sum()),
            "held_by_this_label": round(float(np.mean(p[pos] >= float(t["publish"]))), 4),
            "clean_held_by_this_label": round(
                float(np.mean(p[stream_clean] >= float(t["publish"]))), 4
            ),
        }
        if t["reject"] is not None:
            flagged = p >= t["reject"]
            entry["clean_rejected"] = round(float(np.mean(flagged[stream_clean])), 4)
            entry["positives_rejected"] = round(float(np.mean(flagged[pos])), 4)
        per_label[label] = entry
    report["threshold_effects"] = per_label
    # Trade-off on the stream: the toxicity publish threshold swept, the others as shipped.
    curve = []
    for cut in np.quantile(scores["toxicity"][stream], np.linspace(0.02, 0.98, 49)):
        trial: Thresholds = {
            k: {"publish": v["publish"], "reject": v["reject"]} for k, v in thresholds.items()
        }
        trial["toxicity"]["publish"] = min(float(cut), trial["toxicity"]["reject"] or 1.0)
        op = operating_point(decide(scores, trial), stream_toxic, stream_clean)
        curve.append([round(float(cut), 4), op["clean_published"], op["abusive_published"]])
    report["tradeoff"] = curve
    notes = [f"{label}: {text}" for label, text in how.items()]
    return thresholds, notes


def _full_rule(
    scores: dict[str, np.ndarray],
    thresholds: Thresholds,
    corpus: Corpus,
    stream: np.ndarray,
    toxic: np.ndarray,
) -> dict[str, Any] | None:
    """Both models' labels through the decision rule on the stream posts the spam model held
    out (its last training run's scores, kept by `train --model spam`), or None."""
    path = _kept_path(STREAM_SPAM_SCORES)
    if not path.is_file():
        return None
    spam_scores = json.loads(path.read_text(encoding="utf-8"))
    rows = [i for i in np.flatnonzero(stream) if D.text_key(corpus.raw[i]) in spam_scores]
    if not rows:
        return None
    idx = np.array(rows)
    both = {label: p[idx] for label, p in scores.items()}
    both["spam"] = np.array([spam_scores[D.text_key(corpus.raw[i])] for i in rows])
    try:
        spam_t = load_model("spam").thresholds
    except ModelLoadError:
        return None
    decisions = decide(both, {**thresholds, **spam_t})
    point = operating_point(decisions, toxic[idx], ~toxic[idx])
    point["spam_thresholds"] = spam_t["spam"]
    return point


def train(
    model: str,
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    extra: Sequence[Path] = (),
    c: float | None = None,
) -> Path:
    """Train, validate and write `<out_dir>/<model>/`; return that folder."""
    started = time.perf_counter()
    data_dir = data_dir or D.default_data_dir()
    out = (out_dir or DEFAULT_ARTIFACTS_DIR) / model
    labels = LABELS[model]
    # Only the shipped artifacts' runs keep their validation scores (var/data) for each other.
    shipping = out == DEFAULT_ARTIFACTS_DIR / model
    c = C_VALUES[model] if c is None else c
    sources: list[D.Source] = []
    steps = 9 if model == "spam" else 5 + N_FOLDS
    with tqdm(total=steps, desc=f"train {model}", unit="step") as bar:
        bar.set_postfix_str("loading data")
        loader = load_spam if model == "spam" else load_toxicity
        corpus = to_corpus(loader(data_dir, extra, sources), labels)
        bar.update(1)
        if model == "spam":
            report = validate_spam(corpus, c, bar)
            thresholds, threshold_notes = _spam_thresholds(report, shipping)
            final = corpus
        else:
            _, identities = news.load_civil_sample(data_dir, [])
            report = validate_toxicity(corpus, c, bar, identities)
            report["rater_agreement"] = news.rater_agreement(data_dir)
            thresholds, threshold_notes = _toxicity_thresholds(report, corpus, shipping)
            # Everything but the SemEval trial posts, which explanations are scored on.
            final = corpus.subset(corpus.group != news.TSD_TRIAL_GROUP)
        bar.set_postfix_str("final fit")
        shipped = fit_all_labels(final, c, labels)
        shipped.calibration = np.array(report["calibration"], dtype=np.float64)
        shipped.thresholds = thresholds
        bar.update(1)
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        versions = library_versions()
        params: dict[str, Any] = {
            "C": c,
            "word_vectors": VECTORS[model],
            "silent_words": sorted(SILENT_WORDS[model]),
            "sentence_weight": SENTENCE_WEIGHT[model],
            "seed": SEED,
            "source_weights": SOURCE_WEIGHTS,
            **{
                f"{kind}_weights": {f"{s}/{n}": v for (s, n), v in weights.items()}
                for kind, weights in (
                    ("negative", K.NEGATIVE_WEIGHTS),
                    ("positive", K.POSITIVE_WEIGHTS),
                    ("label_source", K.LABEL_SOURCE_WEIGHTS),
                )
            },
            "svm_share_and_c": F.SVM[model],
            "block_scale": F.BLOCK_SCALE[model],
        }
        meta: dict[str, Any] = {
            "created": created,
            "params": params,
            "library_versions": versions,
            "sentence_weight": SENTENCE_WEIGHT[model],
        }
        if shipped.vectors is not None:
            meta["word_vectors"] = {
                "package": GLOVE_PACKAGE,
                "sha256": GLOVE_SHA256,
                "rows": len(shipped.vectors.words),
                "dim": shipped.vectors.dim,
                "weighting": VECTORS[model],
                "stored": "float16",
            }
        if model == "toxicity":
            bar.set_postfix_str("explanations and behaviour")
            report.update(_explanations(shipped, data_dir, meta))
        version = save_model(shipped, out, meta)
        if model == "toxicity":
            report["behaviour"] = run_suite(shipped)
            report["function_words"] = _function_word_weights(shipped)
        bar.set_postfix_str("model card")
        write_card(
            out,
            model=model,
            version=version,
            labels=labels,
            sources=sources,
            corpus_summary=summarize(corpus),
            report=report,
            thresholds=thresholds,
            threshold_notes=threshold_notes,
            n_features=shipped.vectorizer.n_features,
            created=created,
            seconds=time.perf_counter() - started,
            params=params,
            library_versions=versions,
        )
        bar.update(1)
    return out


SPAN_TUNING_POSTS = 2000


def _explanations(model: Model, data_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Choose the span threshold on SemEval train posts; score it on the trial posts."""
    posts = news.load_tsd_train(data_dir)
    order = np.random.default_rng(SEED).permutation(len(posts))[:SPAN_TUNING_POSTS]
    cut, relative, train_f1 = choose_span_rule(model, [posts[i] for i in order])
    meta["span_threshold"], meta["span_relative"] = cut, relative
    model.meta.update(span_threshold=cut, span_relative=relative)
    trial = news.load_tsd_trial(data_dir)
    return {
        "spans": {
            "threshold": cut,
            "relative": relative,
            "train_posts": len(order),
            "train_f1": round(train_f1, 4),
            "trial_posts": len(trial),
            "trial_f1": round(mean_f1(model, trial, cut, relative), 4),
        }
    }


def _function_word_weights(model: Model) -> dict[str, float]:
    """Push of each function word on the toxicity logit: zero, as they build no feature."""
    out = {}
    for word in ("a", "the", "is"):
        logit = model.logits([f"{word}"])[0, 0] - model.logits([""])[0, 0]
        out[word] = round(float(logit), 6)
    return out


def summarize(corpus: Corpus) -> dict[str, dict[str, Any]]:
    """Row and positive counts per source and split, for the card."""
    out: dict[str, dict[str, Any]] = {}
    for source in sorted(set(corpus.source)):
        for split in sorted(set(corpus.split)):
            rows = (corpus.source == source) & (corpus.split == split)
            if rows.any():
                y = corpus.y[rows, 0]
                out[f"{source}/{split}"] = {
                    "rows": int(rows.sum()),
                    "main_label_mean": round(float(np.nanmean(y)), 4),
                }
    return out


def library_versions() -> dict[str, str]:
    """Versions that produced the artifact."""
    import matplotlib
    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
    }
