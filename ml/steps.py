"""`python -m ml steps`: the toxicity step table of ml/README.md, one row per setting.

Each row fits the toxicity label alone (`ml.validation.fit_toxicity`, the same fit as `train`)
in the news folds of `train` and prints:

- Civil: ROC-AUC on the Civil Comments sample's out-of-fold posts (the natural stream);
- new outlet: trained without Fox, tested on all of Fox;
- Fox by thread: reported, never chosen by;
- stream, cut in folds: for each article fold, the toxicity cut that publishes 13% of the other
  folds' toxic stream posts (`ml.thresholds.ABUSIVE_PUBLISHED_GOAL`, as `train` chooses it),
  applied to that fold: clean / toxic published (toxicity alone).

The reference row is `ml.reference` in the same folds. A step is a set of settings of `ml.fit`
and `ml.corpus` applied for its row and restored after it; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from ml import corpus as K
from ml import data as D
from ml import fit as F
from ml import news
from ml.model import LABELS
from ml.reference import fit_reference
from ml.thresholds import ABUSIVE_PUBLISHED_GOAL
from ml.validation import fit_toxicity, fold_splits, new_outlet_split, news_folds, rounded_auc

REFERENCE = "reference"
_AUCS = ("civil", "new_outlet", "fox_by_thread")

Setting = tuple[dict[Any, Any], Any, Any]  # (settings table, key, value for this row)
Scorer = Callable[[np.ndarray, np.ndarray], np.ndarray]  # (train rows, test rows) -> scores

SPANS_HALF = (K.LABEL_SOURCE_WEIGHTS, (news.CIVIL_SPANS, "toxicity"), 0.5)
SPANS_QUARTER = (K.LABEL_SOURCE_WEIGHTS, (news.CIVIL_SPANS, "toxicity"), 0.25)
STREAM_TOXIC_X3 = (K.POSITIVE_WEIGHTS, (news.CIVIL_SAMPLE, "toxicity"), 3.0)
STREAM_TOXIC_X5 = (K.POSITIVE_WEIGHTS, (news.CIVIL_SAMPLE, "toxicity"), 5.0)
SVM_HALF = (F.SVM, "toxicity", (0.5, 1.0))
STEP_8 = (SPANS_QUARTER, STREAM_TOXIC_X3)


@dataclass(frozen=True)
class Step:
    """One row of the table: what it is and the settings it changes from the shipped model."""

    title: str
    settings: tuple[Setting, ...] = ()


STEPS: dict[str, Step] = {
    REFERENCE: Step("plain reference (`ml/reference.py`)"),
    "shipped": Step("6. shipped model (step 5 + silent identity words)"),
    "shipped-no-blend": Step(
        "(6 without the sentence blend)", ((F.SENTENCE_WEIGHT, "toxicity", 0.0),)
    ),
    "shipped-no-vectors": Step("(6 without the word vectors)", ((F.VECTORS, "toxicity", None),)),
    "shipped-no-indicators": Step(
        "(6 without source indicators)", ((F.SOURCE_INDICATORS, "toxicity", ()),)
    ),
    "spans-half": Step("7. toxic-spans posts at weight 0.5 for toxicity", (SPANS_HALF,)),
    "spans-quarter": Step("7. ... at 0.25", (SPANS_QUARTER,)),
    "spans-half-svm": Step("(7 + a linear SVM at C 1 averaged in at 0.5)", (SPANS_HALF, SVM_HALF)),
    "step8": Step("8. toxic-spans posts at 0.25, the stream's toxic posts at 3 (toxicity)", STEP_8),
    "step8-svm": Step("(8 + a linear SVM at C 1 averaged in at 0.5)", (*STEP_8, SVM_HALF)),
    "step8-svm-quarter": Step(
        "(8 + the SVM at C 1 averaged in at 0.25)", (*STEP_8, (F.SVM, "toxicity", (0.25, 1.0)))
    ),
    "step8-svm-c0.1": Step(
        "(8 + an SVM at C 0.1 averaged in at 0.5)", (*STEP_8, (F.SVM, "toxicity", (0.5, 0.1)))
    ),
    "step8-svm-c0.03": Step(
        "(8 + an SVM at C 0.03 averaged in at 0.5)",
        (*STEP_8, (F.SVM, "toxicity", (0.5, 0.03))),
    ),
    "step8-svm-c0.1-stream-x5": Step(
        "(8 + the SVM at C 0.1, the stream's toxic posts at 5)",
        (SPANS_QUARTER, STREAM_TOXIC_X5, (F.SVM, "toxicity", (0.5, 0.1))),
    ),
    "step8-blend-0.6": Step(
        "(8, sentence blend 0.6)", (*STEP_8, (F.SENTENCE_WEIGHT, "toxicity", 0.6))
    ),
    "step8-stream-x5": Step(
        "(8, the stream's toxic posts at 5)",
        (SPANS_QUARTER, STREAM_TOXIC_X5),
    ),
    "step8-char-x0.67": Step(
        "(8, character grams x0.67 while fitting)",
        (*STEP_8, (F.BLOCK_SCALE, "toxicity", (1.0, 0.67, 1.0))),
    ),
    "step8-char-x1.5": Step(
        "(8, character grams x1.5 while fitting: a C of their own)",
        (*STEP_8, (F.BLOCK_SCALE, "toxicity", (1.0, 1.5, 1.0))),
    ),
    "step8-word-x1.5": Step(
        "(8, word grams x1.5 while fitting)",
        (*STEP_8, (F.BLOCK_SCALE, "toxicity", (1.5, 1.0, 1.0))),
    ),
}


@contextmanager
def applied(settings: Sequence[Setting]) -> Iterator[None]:
    """The settings in force inside the block; the tables exactly as they were after it."""
    missing = object()
    saved = [(table, key, table.get(key, missing)) for table, key, _ in settings]
    try:
        for table, key, value in settings:
            table[key] = value
        yield
    finally:
        for table, key, old in reversed(saved):
            if old is missing:
                del table[key]
            else:
                table[key] = old


def stream_cut_in_folds(
    z: np.ndarray, toxic: np.ndarray, stream: np.ndarray, fold: np.ndarray
) -> tuple[float, float]:
    """Clean and toxic stream posts published when each fold's cut is chosen on the others."""
    published = np.zeros(len(z), dtype=bool)
    for k in sorted(set(fold[stream].tolist())):
        chosen_on = z[stream & toxic & (fold != k)]
        here = stream & (fold == k)
        if len(chosen_on):
            published[here] = z[here] < np.quantile(chosen_on, ABUSIVE_PUBLISHED_GOAL)
    return float(published[stream & ~toxic].mean()), float(published[stream & toxic].mean())


def figures(corpus: K.Corpus, fold: np.ndarray, score: Scorer) -> dict[str, float | None]:
    """The four figures of one row, from a scorer fitted per fold and without Fox."""
    civil = corpus.source == news.CIVIL_SAMPLE
    toxic = corpus.y[:, 0] >= 0.5
    new_train, fox = new_outlet_split(corpus, fold)
    z = np.full(len(corpus.texts), np.nan)
    for train, test in fold_splits(fold):
        rows = test & (civil | fox)
        z[rows] = score(train, rows)
    z_new = score(new_train, fox)
    clean_published, toxic_published = stream_cut_in_folds(z, toxic, civil, fold)
    return {
        "civil": rounded_auc(toxic[civil], z[civil]),
        "new_outlet": rounded_auc(toxic[fox], z_new),
        "fox_by_thread": rounded_auc(toxic[fox], z[fox]),
        "clean_published": round(clean_published, 4),
        "toxic_published": round(toxic_published, 4),
    }


def _scorer(corpus: K.Corpus, name: str) -> Scorer:
    if name == REFERENCE:
        return lambda train, test: fit_reference(corpus, train).logits(corpus.subset(test).raw)
    c = F.C_VALUES["toxicity"]
    return lambda train, test: fit_toxicity(corpus, train, c).normalized_logits(
        corpus.subset(test).texts
    )[:, 0]


def run_steps(
    data_dir: Path | None = None, names: Sequence[str] = tuple(STEPS)
) -> Iterator[tuple[str, dict[str, float | None]]]:
    """Each named step and its figures, in order, as each is measured."""
    data_dir = data_dir or D.default_data_dir()
    corpus = K.to_corpus(K.load_toxicity(data_dir, [], []), LABELS["toxicity"])
    fold = news_folds(corpus)
    for name in tqdm(names, desc="steps", unit="step"):
        with applied(STEPS[name].settings):
            row = figures(corpus, fold, _scorer(corpus, name))
        yield name, row


TABLE_HEAD = (
    "| step | name | Civil | new outlet | Fox by thread | stream, cut in folds |\n"
    "|---|---|---|---|---|---|"
)


def format_row(name: str, f: dict[str, float | None]) -> str:
    """One row of the README's markdown table (below TABLE_HEAD)."""
    stream = f"{f['clean_published']:.1%} / {f['toxic_published']:.1%}"
    aucs = " | ".join(f"{f[k]:.4f}" if f[k] is not None else "n/a" for k in _AUCS)
    return f"| {STEPS[name].title} | `{name}` | {aucs} | {stream} |"
