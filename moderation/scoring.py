"""Adapts the `ml` package to the app: loads each model once per process and scores one comment.

The shared models come from ML_ARTIFACTS_DIR unless `manage.py retrain` promoted a version of
its own; a site may also have its own layer on top (moderation/learning). Each process looks at
the versions' marker file at most every ML_RELOAD_CHECK_SECONDS and loads what changed, so
workers and web processes pick up a promotion without a restart. Site layers load lazily.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

import ml
from ml.site import SiteLayer, load_site_layer
from moderation.learning import versions

EXPLANATION_SIZE = 5

logger = logging.getLogger(__name__)


class ModelsUnavailable(ml.ModelLoadError):
    """The models could not be loaded in this process: comments are held, not scored."""


@dataclass(frozen=True)
class CommentScores:
    """Everything the models said about one comment."""

    scores: dict[str, float]  # every label of every model, e.g. spam, toxicity, insult
    versions: dict[str, str]  # model name -> artifact version
    explanations: dict[str, list[dict]]  # model name -> features that pushed its score up
    # label -> {"publish": float, "reject": float | None}; None: never reject on this label
    default_thresholds: dict[str, dict[str, float | None]]


class _LoadedModels:
    """The process's models, loaded once; a failed load is retried at most every N seconds."""

    def __init__(self) -> None:
        self.models: dict[str, ml.Model] | None = None
        self.dirs: tuple[tuple[str, str], ...] = ()
        self.error = ""
        self.failed_at: float | None = None
        self.lock = threading.Lock()

    def get(self, dirs: tuple[tuple[str, str], ...]) -> dict[str, ml.Model]:
        """The models in these folders; a promoted version (other folders) is loaded afresh."""
        if self.models is not None and self.dirs == dirs:
            return self.models
        with self.lock:
            if self.models is None or self.dirs != dirs:
                self._load(dirs)
        assert self.models is not None
        return self.models

    def _load(self, dirs: tuple[tuple[str, str], ...]) -> None:
        now = time.monotonic()
        retry_after = settings.MODERATION_MODEL_RETRY_SECONDS
        if self.failed_at is not None and now - self.failed_at < retry_after:
            raise ModelsUnavailable(self.error)
        artifacts_dir = ", ".join(sorted({folder for _, folder in dirs}))
        try:
            models = {
                name: ml.load_model(name, artifacts_dir=Path(folder)) for name, folder in dirs
            }
        except ml.ModelLoadError as error:
            first_failure = self.failed_at is None
            self.failed_at, self.error = now, str(error)
            if first_failure:
                logger.critical(
                    "MODELS UNAVAILABLE: %s. This process scores nothing: every comment it takes "
                    "is held with the reason %r until the models load (retried every %d s).",
                    error,
                    "classifier unavailable",
                    retry_after,
                )
            raise ModelsUnavailable(str(error)) from error
        if self.failed_at is not None:
            logger.warning("Models loaded again from %s", artifacts_dir)
        self.models, self.dirs, self.error, self.failed_at = models, dirs, "", None

    def reset(self) -> None:
        with self.lock:
            self.models, self.dirs, self.error, self.failed_at = None, (), "", None


_loaded = _LoadedModels()


def loaded_models() -> dict[str, ml.Model]:
    """Each live shared model, loaded once per process until a new version is promoted.

    Raises ModelsUnavailable while they cannot be loaded; the load is tried again at most every
    MODERATION_MODEL_RETRY_SECONDS, so restored artifacts are picked up without a restart.
    """
    return _loaded.get(_shared_dirs())


def models_ready() -> bool:
    """Whether this process can score (loading the models if they are not loaded yet)."""
    try:
        loaded_models()
    except ModelsUnavailable:
        return False
    return True


def model_status() -> dict[str, object]:
    """This process's models for health reports: ready, versions, and why not when not."""
    try:
        models = loaded_models()
    except ModelsUnavailable as error:
        return {"ready": False, "versions": {}, "error": str(error)}
    return {"ready": True, "versions": {name: m.version for name, m in models.items()}}


class _Live:
    """This process's copy of the marker, reread when the file changes (checked every few s)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = float("-inf")
        self.stamp: tuple[int, int] | None = None
        self.doc: dict[str, Any] = {}

    def current(self) -> dict[str, Any]:
        now = time.monotonic()
        if now - self.checked < settings.ML_RELOAD_CHECK_SECONDS:
            return self.doc
        with self.lock:
            self.checked = now
            stamp = versions.marker_stamp()
            if stamp != self.stamp:
                self.stamp = stamp
                self.doc = versions.marker_read() if stamp else {}
        return self.doc

    def reset(self) -> None:
        with self.lock:
            self.checked, self.stamp, self.doc = float("-inf"), None, {}


_live = _Live()


def _shared_dirs() -> tuple[tuple[str, str], ...]:
    """(model name, artifacts folder) of every model: the promoted version, else the shipped."""
    shared = _live.current().get("shared", {})
    base = versions.versions_dir()
    return tuple(
        (name, str(base / shared[name]) if name in shared else str(settings.ML_ARTIFACTS_DIR))
        for name in ml.MODEL_NAMES
    )


@functools.lru_cache(maxsize=256)
def _site_layer(folder: str) -> SiteLayer:
    return load_site_layer(Path(folder))


def models_cache_clear() -> None:
    """Forget every loaded model, layer and the marker (tests; a process never needs it)."""
    _loaded.reset()
    _site_layer.cache_clear()
    _thresholds_in.cache_clear()
    _label_versions_in.cache_clear()
    _live.reset()


def site_layers(site_id: int | None, kind: str = "sites") -> dict[str, tuple[str, SiteLayer]]:
    """model name -> (version, layer) of a site's live layers (or, kind="shadow", its shadow
    candidates), loaded on first use."""
    if site_id is None:
        return {}
    entries = _live.current().get(kind, {}).get(str(site_id), {})
    base = versions.versions_dir()
    return {
        name: (entry["version"], _site_layer(str(base / entry["folder"])))
        for name, entry in entries.items()
    }


def shadow_entries(site_id: int) -> dict[str, dict[str, Any]]:
    """model name -> {"id", "version", "folder"} of the site's shadow candidates."""
    return dict(_live.current().get("shadow", {}).get(str(site_id), {}))


def _bound(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=1)
def _thresholds_in(dirs: tuple[tuple[str, str], ...]) -> dict[str, dict[str, float | None]]:
    thresholds: dict[str, dict[str, float | None]] = {}
    for name, folder in dirs:
        try:
            meta = json.loads((Path(folder) / name / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a page shows unscored badges rather than failing; scoring itself refuses
        stored = meta.get("thresholds", {})
        for label, bounds in stored.items():
            thresholds[label] = {k: _bound(v) for k, v in bounds.items()}
    return thresholds


def default_thresholds() -> dict[str, dict[str, float | None]]:
    """Each live model's own thresholds, read from its card without loading its arrays."""
    return _thresholds_in(_shared_dirs())


@functools.lru_cache(maxsize=1)
def _label_versions_in(dirs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, folder in dirs:
        try:
            meta = json.loads((Path(folder) / name / "model.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for label in meta.get("thresholds", {}):
            found[label] = str(meta.get("version", ""))
    return found


def label_versions() -> dict[str, str]:
    """The version of the live model that scores each label, read from the cards (for pages)."""
    return _label_versions_in(_shared_dirs())


def scores_for_texts(texts: list[str], site_id: int | None = None) -> list[CommentScores]:
    """Every live model's scores, version and default thresholds for each text, in one call per
    model (no explanations: see `explanations_for_text`); a site's own layer, where it has one,
    rescores that model's main label for that site only."""
    scores: list[dict[str, float]] = [{} for _ in texts]
    versions_used: dict[str, str] = {}
    thresholds: dict[str, dict[str, float | None]] = {}
    layers = site_layers(site_id)
    for name, model in loaded_models().items():
        if name in layers:
            layer_version, layer = layers[name]
            labels = layer.score_labels(model, texts)
            versions_used[name] = f"{model.version}+{layer_version}"
        else:
            labels = model.score_labels(texts)
            versions_used[name] = model.version
        for label, values in labels.items():
            for row, value in zip(scores, values, strict=True):
                row[label] = round(float(value), 6)
        thresholds.update(
            {
                label: {"publish": t["publish"], "reject": t["reject"]}
                for label, t in model.thresholds.items()
            }
        )
    return [CommentScores(row, dict(versions_used), {}, thresholds) for row in scores]


def explanations_for_text(text: str, models: set[str] | None = None) -> dict[str, list[dict]]:
    """model name -> the features that pushed its main label's score up most, for every live
    model or only `models` (the costly part of scoring: ~2 ms a model, against well under a
    millisecond to score a comment in a batch)."""
    return {
        name: [
            {
                "feature": item.feature,
                "weight": round(float(item.weight), 4),
                "start": item.start,
                "end": item.end,
            }
            for item in model.explain(text, top=EXPLANATION_SIZE)
        ]
        for name, model in loaded_models().items()
        if models is None or name in models
    }


def comment_explanation(comment: Any, models: set[str] | None = None) -> dict[str, list[dict]]:
    """A comment's explanation as pages show it: the stored one, else, for a comment scored
    without one (a batch stores none), the live models' (or only `models`') now."""
    if comment.explanation or not comment.scores or comment.body == "[deleted]":
        return dict(comment.explanation or {})
    try:
        return explanations_for_text(comment.body, models)
    except Exception:  # no models in this process: a page shows no highlights, it still shows
        logger.warning("Could not explain comment %s on read", comment.pk)
        return {}


def scores_for_text(text: str, site_id: int | None = None) -> CommentScores:
    """Every live model's scores, version, explanation and default thresholds for one text."""
    (result,) = scores_for_texts([text], site_id=site_id)
    return CommentScores(
        result.scores, result.versions, explanations_for_text(text), result.default_thresholds
    )


def shadow_score(text: str, site_id: int, name: str) -> float | None:
    """The site's shadow candidate's score of model `name`'s main label, if it has one."""
    layers = site_layers(site_id, kind="shadow")
    if name not in layers:
        return None
    _version, layer = layers[name]
    return float(layer.score(loaded_models()[name], [text])[0])
