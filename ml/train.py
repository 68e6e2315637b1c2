"""Training: load the corpus, validate, choose thresholds, fit the shipped model, write it."""

from __future__ import annotations

import platform
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ml import data as D
from ml import news
from ml.card import write_card
from ml.checklist import run_suite
from ml.corpus import NEGATIVE_WEIGHTS, SOURCE_WEIGHTS, Corpus, load_spam, load_toxicity, to_corpus
from ml.fit import (
    C_VALUES,
    GROUP_WORDS,
    NB_SCALING,
    SEED,
    SENTENCE_WEIGHT,
    SOURCE_INDICATORS,
    STOP_WORDS,
    fit_all_labels,
)
from ml.model import DEFAULT_ARTIFACTS_DIR, LABELS, Model, Thresholds, save_model
from ml.spans import choose_span_rule, mean_f1
from ml.thresholds import (
    PUBLISH,
    REJECT,
    choose_news_thresholds,
    choose_thresholds,
    decide,
    flat_to_labels,
    operating_point,
)
from ml.validation import N_FOLDS, validate_spam, validate_toxicity

# Share of abusive posts (target >= 0.5) in the Civil Comments sample: a news site's own rate.
CIVIL_SAMPLE_ABUSE_RATE = 0.048


def _spam_thresholds(report: dict[str, Any]) -> tuple[Thresholds, list[str]]:
    y_thr, p_thr = report.pop("threshold_scores")
    flat, notes = choose_thresholds(y_thr, p_thr)
    report["clean_outcomes"] = {
        source: {
            "rows": len(p),
            "published": round(float(np.mean(p < flat["publish"])), 4),
            "rejected": round(float(np.mean(p >= flat["reject"])), 4),
        }
        for source, p in report.pop("clean_scores", {}).items()
        if len(p)
    }
    return flat_to_labels("spam", flat), notes


def _toxicity_thresholds(report: dict[str, Any]) -> tuple[Thresholds, list[str]]:
    scores, positive, abusive, clean = report.pop("news_scores")
    # Kept outside the repository so thresholds can be studied without refitting.
    keep = D.env_path("ML_DOWNLOAD_DIR", D.REPO_DIR / "var" / "data") / "toxicity-oof.npz"
    keep.parent.mkdir(parents=True, exist_ok=True)
    np.savez(
        keep,
        abusive=abusive,
        clean=clean,
        **{f"score_{k}": v for k, v in scores.items()},
        **{f"positive_{k}": v for k, v in positive.items()},
    )
    thresholds, notes = choose_news_thresholds(scores, positive, abusive, clean)
    decisions = decide(scores, thresholds)
    point = operating_point(decisions, abusive, clean)
    threats = positive["threat"]
    point["threat_held"] = round(float(np.mean(decisions[threats] != PUBLISH)), 4)
    point["threats"] = int(threats.sum())
    severe = positive["severe_toxicity"]
    point["severe_rejected"] = round(float(np.mean(decisions[severe] == REJECT)), 4)
    # Abuse is over-represented in this validation mix; precision at the Civil Comments
    # sample's own rate of abuse (4.8%) from the same true and false positive rates.
    tpr, fpr = point["abusive_rejected"], point["clean_rejected"]
    rate = CIVIL_SAMPLE_ABUSE_RATE
    point["reject_precision_at_civil_rate"] = (
        round(tpr * rate / (tpr * rate + fpr * (1 - rate)), 4) if tpr else None
    )
    report["operating_point"] = point
    per_label = {}
    for label, t in thresholds.items():
        pos = positive[label]
        p = scores[label]
        entry: dict[str, Any] = {
            "positives": int(pos.sum()),
            "held_by_this_label": round(float(np.mean(p[pos] >= float(t["publish"]))), 4),
            "clean_held_by_this_label": round(float(np.mean(p[clean] >= float(t["publish"]))), 4),
        }
        if t["reject"] is not None:
            flagged = (p >= t["reject"]) & (abusive | clean)
            entry["rejected"] = int(flagged.sum())
            entry["reject_precision"] = (
                round(float(abusive[flagged].mean()), 4) if flagged.any() else None
            )
        per_label[label] = entry
    report["threshold_effects"] = per_label
    # Trade-off: the toxicity publish threshold swept, every other threshold as shipped.
    curve = []
    for cut in np.quantile(scores["toxicity"][clean | abusive], np.linspace(0.02, 0.98, 49)):
        trial: Thresholds = {
            k: {"publish": v["publish"], "reject": v["reject"]} for k, v in thresholds.items()
        }
        trial["toxicity"]["publish"] = min(float(cut), trial["toxicity"]["reject"] or 1.0)
        op = operating_point(decide(scores, trial), abusive, clean)
        curve.append([round(float(cut), 4), op["clean_published"], op["abusive_published"]])
    report["tradeoff"] = curve
    return thresholds, notes


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
    c = C_VALUES[model] if c is None else c
    sources: list[D.Source] = []
    steps = 9 if model == "spam" else 4 + N_FOLDS
    with tqdm(total=steps, desc=f"train {model}", unit="step") as bar:
        bar.set_postfix_str("loading data")
        loader = load_spam if model == "spam" else load_toxicity
        corpus = to_corpus(loader(data_dir, extra, sources), labels)
        bar.update(1)
        if model == "spam":
            report = validate_spam(corpus, c, bar)
            thresholds, threshold_notes = _spam_thresholds(report)
            final = corpus
        else:
            _, identities = news.load_civil_sample(data_dir, [])
            report = validate_toxicity(corpus, c, bar, identities)
            report["rater_agreement"] = news.rater_agreement(data_dir)
            thresholds, threshold_notes = _toxicity_thresholds(report)
            # Everything but the SemEval trial posts, which explanations are scored on.
            final = corpus.subset(corpus.group != news.TSD_TRIAL_GROUP)
        bar.set_postfix_str("final fit")
        vec, coef, intercept = fit_all_labels(final, c, labels)
        bar.update(1)
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        versions = library_versions()
        params: dict[str, Any] = {
            "C": c,
            "nb_scaling": NB_SCALING[model],
            "stop_words": sorted(STOP_WORDS[model]),
            "group_words": sorted(GROUP_WORDS[model]),
            "source_indicators": list(SOURCE_INDICATORS[model]),
            "sentence_weight": SENTENCE_WEIGHT[model],
            "seed": SEED,
            "source_weights": SOURCE_WEIGHTS,
            "negative_weights": {f"{s}/{n}": v for (s, n), v in NEGATIVE_WEIGHTS.items()},
        }
        meta: dict[str, Any] = {
            "created": created,
            "params": params,
            "library_versions": versions,
            "sentence_weight": SENTENCE_WEIGHT[model],
        }
        shipped = Model(
            model,
            labels,
            vec,
            coef,
            intercept,
            np.array(report["calibration"]),
            thresholds,
            meta={"sentence_weight": SENTENCE_WEIGHT[model]},
        )
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
            n_features=vec.n_features,
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
