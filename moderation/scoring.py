"""Adapts the `ml` package to the app: loads each model once per process and scores one comment."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

import ml

EXPLANATION_SIZE = 5


@dataclass(frozen=True)
class CommentScores:
    """Everything the models said about one comment."""

    scores: dict[str, float]  # every label of every model, e.g. spam, toxicity, insult
    versions: dict[str, str]  # model name -> artifact version
    explanations: dict[str, list[dict]]  # model name -> features that pushed its score up
    # label -> {"publish": float, "reject": float | None}; None: never reject on this label
    default_thresholds: dict[str, dict[str, float | None]]


@functools.cache
def loaded_models() -> dict[str, ml.Model]:
    """Each model loaded once per process (a worker keeps them for every task)."""
    artifacts_dir = Path(settings.ML_ARTIFACTS_DIR)
    return {name: ml.load_model(name, artifacts_dir=artifacts_dir) for name in ml.MODEL_NAMES}


def _bound(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@functools.cache
def default_thresholds() -> dict[str, dict[str, float | None]]:
    """Each model's own thresholds, read from its card without loading its arrays (for pages)."""
    artifacts_dir = Path(settings.ML_ARTIFACTS_DIR)
    thresholds: dict[str, dict[str, float | None]] = {}
    for name in ml.MODEL_NAMES:
        try:
            meta = json.loads((artifacts_dir / name / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a page shows unscored badges rather than failing; scoring itself refuses
        stored = meta.get("thresholds", {})
        for label, bounds in stored.items():
            thresholds[label] = {k: _bound(v) for k, v in bounds.items()}
    return thresholds


@functools.cache
def label_versions() -> dict[str, str]:
    """The version of the model that scores each label, read from the cards (for pages)."""
    artifacts_dir = Path(settings.ML_ARTIFACTS_DIR)
    versions: dict[str, str] = {}
    for name in ml.MODEL_NAMES:
        try:
            meta = json.loads((artifacts_dir / name / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for label in meta.get("thresholds", {}):
            versions[label] = str(meta.get("version", ""))
    return versions


def scores_for_text(text: str) -> CommentScores:
    """Every loaded model's scores, version, explanation and default thresholds for one text."""
    scores: dict[str, float] = {}
    versions: dict[str, str] = {}
    explanations: dict[str, list[dict]] = {}
    thresholds: dict[str, dict[str, float | None]] = {}
    for name, model in loaded_models().items():
        for label, values in model.score_labels([text]).items():
            scores[label] = round(float(values[0]), 6)
        versions[name] = model.version
        thresholds.update(
            {
                label: {"publish": t["publish"], "reject": t["reject"]}
                for label, t in model.thresholds.items()
            }
        )
        explanations[name] = [
            {
                "feature": item.feature,
                "weight": round(float(item.weight), 4),
                "start": item.start,
                "end": item.end,
            }
            for item in model.explain(text, top=EXPLANATION_SIZE)
        ]
    return CommentScores(scores, versions, explanations, thresholds)
