"""`python -m ml study`: how far the spam target is from what the YouTube labels allow.

The spam model is judged leave-one-video-out, and each video's labellers had habits of their own
("like this comment" is spam in LMFAO, "thumbs up if" is not in Eminem). This study fits the same
model three more ways, so the gap between the target and the figures can be read off:

- mixed videos: 4 folds drawn across all videos, so every video's habits are partly in training;
- a new video plus a share of its own comments as a site's moderator decisions (`--extra`).

Each row gives per-video ROC-AUC and F1 at the best threshold chosen on the test rows themselves
(an upper bound no deployed model reaches). Nothing here is written to the artifacts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from tqdm import tqdm

from ml import corpus as K
from ml import data as D
from ml import fit as F
from ml.model import LABELS

SITE_SHARES = (0.1, 0.25)
MIXED_FOLDS = 4


def best_f1(y: np.ndarray, z: np.ndarray) -> float:
    """F1 at the best threshold for these very rows (an oracle's upper bound)."""
    precision, recall, _ = precision_recall_curve(y >= 0.5, z)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    return float(f1.max())


def _fit_and_score(corpus: K.Corpus, train: np.ndarray, test: np.ndarray, c: float) -> np.ndarray:
    model = F.fit_all_labels(corpus.subset(train), c, LABELS["spam"])
    return model.normalized_logits(corpus.subset(test).texts)[:, 0]


def site_rows(
    corpus: K.Corpus, video: str, share: float, rng: np.random.Generator
) -> tuple[np.ndarray, K.Corpus]:
    """A random share of one video's rows, and a copy of the corpus where they are site data."""
    rows = np.flatnonzero(corpus.group == video)
    picked = np.zeros(len(corpus.texts), dtype=bool)
    picked[rng.permutation(rows)[: round(share * len(rows))]] = True
    source = corpus.source.copy()
    source[picked] = "extra"
    relabelled = K.Corpus(corpus.texts, corpus.y, source, corpus.split, corpus.group, corpus.raw)
    return picked, relabelled


def run_study(
    data_dir: Path | None = None,
    shares: Sequence[float] = SITE_SHARES,
    c: float | None = None,
    seed: int = F.SEED,
) -> dict[str, Any]:
    """Per-scheme, per-video ROC-AUC and best-threshold F1 of the spam model."""
    data_dir = data_dir or D.default_data_dir()
    c = F.C_VALUES["spam"] if c is None else c
    corpus = K.to_corpus(K.load_spam(data_dir, [], []), LABELS["spam"])
    youtube = corpus.source == "youtube"
    videos = sorted(set(corpus.group[youtube].tolist()))
    # As in validation: held-out tweets never train.
    usable = ~((corpus.source == D.TWEET_SOURCE) & (corpus.split == "val"))
    y = corpus.y[:, 0]
    schemes: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    steps = len(videos) * (1 + len(shares)) + MIXED_FOLDS
    with tqdm(total=steps, desc="spam study", unit="fit") as bar:
        lovo = {}
        for video in videos:
            test = corpus.group == video
            lovo[video] = (y[test], _fit_and_score(corpus, usable & ~test, test, c))
            bar.update(1)
        schemes["leave-one-video-out"] = lovo

        yt_rows = np.flatnonzero(youtube)
        z_mixed = np.zeros(len(corpus.texts))
        folds = StratifiedKFold(MIXED_FOLDS, shuffle=True, random_state=seed % 2**32)
        for _, test_idx in folds.split(yt_rows, y[yt_rows] >= 0.5):
            test = np.zeros(len(corpus.texts), dtype=bool)
            test[yt_rows[test_idx]] = True
            z_mixed[test] = _fit_and_score(corpus, usable & ~test, test, c)
            bar.update(1)
        schemes[f"mixed videos ({MIXED_FOLDS}-fold)"] = {
            v: (y[corpus.group == v], z_mixed[corpus.group == v]) for v in videos
        }

        rng = np.random.default_rng(seed)
        for share in shares:
            scheme = {}
            for video in videos:
                picked, relabelled = site_rows(corpus, video, share, rng)
                test = (corpus.group == video) & ~picked
                scheme[video] = (y[test], _fit_and_score(relabelled, usable & ~test, test, c))
                bar.update(1)
            schemes[f"new video + {share:.0%} of it as site decisions"] = scheme
    return {name: _summarise(rows) for name, rows in schemes.items()}


def _summarise(rows: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, Any]:
    per_video = {
        video: {
            "rows": len(y),
            "roc_auc": round(float(roc_auc_score(y >= 0.5, z)), 4),
            "best_f1": round(best_f1(y, z), 4),
        }
        for video, (y, z) in rows.items()
    }
    mean = {
        key: round(float(np.mean([v[key] for v in per_video.values()])), 4)
        for key in ("roc_auc", "best_f1")
    }
    return {"videos": per_video, "mean": mean}


def format_study(result: dict[str, Any]) -> str:
    """A table: one row per scheme, mean and per-video ROC-AUC / best-threshold F1."""
    videos = list(next(iter(result.values()))["videos"])
    short = [v.split("-", 1)[-1] for v in videos]
    head = ["scheme", "mean AUC", "mean best F1", *short]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, entry in result.items():
        cells = [
            f"{entry['videos'][v]['roc_auc']:.4f} / {entry['videos'][v]['best_f1']:.4f}"
            for v in videos
        ]
        mean = entry["mean"]
        means = f"{mean['roc_auc']:.4f} | {mean['best_f1']:.4f}"
        lines.append(f"| {name} | {means} | " + " | ".join(cells) + " |")
    lines.append(
        "\nPer video: ROC-AUC / F1 at the best threshold for those very rows (an upper bound)."
    )
    return "\n".join(lines)
