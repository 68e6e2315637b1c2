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
from ml.card import write_card
from ml.corpus import NEGATIVE_WEIGHTS, SOURCE_WEIGHTS, Corpus, load_spam, load_toxicity, to_corpus
from ml.fit import C_VALUES, NB_SCALING, SEED, fit_all_labels
from ml.model import DEFAULT_ARTIFACTS_DIR, LABELS, Model, save_model
from ml.thresholds import choose_thresholds
from ml.validation import validate_spam, validate_toxicity


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
    steps = 9 if model == "spam" else 5
    with tqdm(total=steps, desc=f"train {model}", unit="step") as bar:
        bar.set_postfix_str("loading data")
        loader = load_spam if model == "spam" else load_toxicity
        corpus = to_corpus(loader(data_dir, extra, sources), labels)
        bar.update(1)
        if model == "spam":
            report = validate_spam(corpus, c, bar)
        else:
            report = validate_toxicity(corpus, c, bar)
        y_thr, p_thr = report.pop("threshold_scores")
        thresholds, threshold_notes = choose_thresholds(y_thr, p_thr)
        report["clean_outcomes"] = {
            source: {
                "rows": len(p),
                "published": round(float(np.mean(p < thresholds["publish"])), 4),
                "rejected": round(float(np.mean(p >= thresholds["reject"])), 4),
            }
            for source, p in report.pop("clean_scores", {}).items()
            if len(p)
        }
        bar.set_postfix_str("final fit on all data")
        vec, coef, intercept = fit_all_labels(corpus, c, labels)
        bar.update(1)
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        versions = library_versions()
        params: dict[str, Any] = {
            "C": c,
            "nb_scaling": NB_SCALING[model],
            "seed": SEED,
            "source_weights": SOURCE_WEIGHTS,
            "negative_weights": {f"{s}/{n}": v for (s, n), v in NEGATIVE_WEIGHTS.items()},
        }
        meta = {"created": created, "params": params, "library_versions": versions}
        shipped = Model(
            model, labels, vec, coef, intercept, np.array(report["calibration"]), thresholds
        )
        version = save_model(shipped, out, meta)
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
