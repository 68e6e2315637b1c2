"""Gated retraining: train a candidate, compare it on held-out labels, promote, roll back, shadow.

A candidate is promoted only when, on the held-out slice of the site's moderator labels (a fixed
quarter, chosen by a hash of the comment id, that no version ever trains on), its ROC-AUC is
higher than the live model's and it makes no more mistakes at the site's operating point (clean
comments rejected plus abusive ones published, at the thresholds the site decides with).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

import ml
from ml.site import SiteLayerError, auc, fit_site_layer, load_site_layer, save_site_layer
from moderation import policy, scoring
from moderation.errors import ApplicationError, PermissionDeniedError
from moderation.learning import versions
from moderation.learning.models import ModelVersion, ShadowScore, ThresholdChange
from moderation.learning.thresholds import MIN_LABELS, MIN_PER_CLASS, Target, thresholds_propose
from moderation.models import Comment, Site, SiteThreshold
from moderation.selectors import sites_visible_to
from moderation.training.selectors import LabelledText, moderator_labels, suggested_labels

logger = logging.getLogger(__name__)

HOLDOUT_SHARE = 4  # one comment in four is held out


class RetrainError(ApplicationError):
    """Retraining cannot start: too few labels, no training data, a missing package."""


def is_held_out(comment_id: int) -> bool:
    """Whether a comment's label belongs to the held-out slice (fixed for ever)."""
    digest = hashlib.sha256(f"holdout:{comment_id}".encode()).digest()
    return digest[0] % HOLDOUT_SHARE == 0


@dataclass(frozen=True)
class LabelSplit:
    train: list[LabelledText]
    held_out: list[LabelledText]
    moderator_count: int
    positives: int
    negatives: int


def labels_split(*, model: str, site: Site | None) -> LabelSplit:
    """The site's labels (every site's without one): moderator decisions split by comment id;
    suggestscore feedback only ever trains (it is no moderator decision)."""
    decisions = list(moderator_labels(model=model, site=site))
    held = [r for r in decisions if r.comment_id is not None and is_held_out(r.comment_id)]
    train = [r for r in decisions if r.comment_id is None or not is_held_out(r.comment_id)]
    train += list(suggested_labels(model=model, site=site))
    positives = sum(1 for r in decisions if r.label >= 0.5)
    return LabelSplit(train, held, len(decisions), positives, len(decisions) - positives)


def labels_missing(split: LabelSplit) -> str | None:
    """What is missing before a promotion can be judged, in words; None when enough."""
    more_total = max(0, MIN_LABELS - split.moderator_count)
    more_pos = max(0, MIN_PER_CLASS - split.positives)
    more_neg = max(0, MIN_PER_CLASS - split.negatives)
    if not (more_total or more_pos or more_neg):
        return None
    parts = []
    if more_total:
        parts.append(f"{more_total} more moderator decisions")
    if more_pos:
        parts.append(f"{more_pos} more rejections")
    if more_neg:
        parts.append(f"{more_neg} more approvals")
    return (
        f"{split.moderator_count} moderator decisions ({split.positives} rejections, "
        f"{split.negatives} approvals); promotion needs at least {MIN_LABELS}, with "
        f"{MIN_PER_CLASS} of each: {', '.join(parts)}."
    )


def _site_thresholds(site: Site | None, label: str) -> policy.Thresholds:
    defaults = scoring.default_thresholds()
    overrides = site.threshold_overrides() if site is not None else {}
    return policy.resolve_thresholds(defaults, overrides)[label]


def operating_point(y: np.ndarray, p: np.ndarray, bounds: policy.Thresholds) -> dict[str, Any]:
    """Outcomes at one label's thresholds: mistakes are clean rejected plus abusive published."""
    bad = y >= 0.5
    rejected = p >= bounds.reject if bounds.reject is not None else np.zeros(len(p), dtype=bool)
    published = p < bounds.publish
    clean_rejected = int(np.sum(rejected & ~bad))
    bad_published = int(np.sum(published & bad))
    return {
        "clean_rejected": clean_rejected,
        "bad_published": bad_published,
        "mistakes": clean_rejected + bad_published,
        "held": int(np.sum(~rejected & ~published)),
        "reject_precision": round(float(np.mean(bad[rejected])), 4) if rejected.any() else None,
    }


@dataclass
class Comparison:
    rows: int
    current_auc: float | None
    candidate_auc: float | None
    current_point: dict[str, Any]
    candidate_point: dict[str, Any]
    thresholds: dict[str, float | None]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def better(self) -> bool:
        if self.current_auc is None or self.candidate_auc is None:
            return False
        return (
            self.candidate_auc > self.current_auc
            and self.candidate_point["mistakes"] <= self.current_point["mistakes"]
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "held_out_rows": self.rows,
            "current_auc": _round(self.current_auc),
            "candidate_auc": _round(self.candidate_auc),
            "current_operating_point": self.current_point,
            "candidate_operating_point": self.candidate_point,
            "thresholds": self.thresholds,
            "better": self.better,
            **self.extra,
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def compare(
    y: np.ndarray, current: np.ndarray, candidate: np.ndarray, bounds: policy.Thresholds
) -> Comparison:
    return Comparison(
        rows=len(y),
        current_auc=auc(y, current),
        candidate_auc=auc(y, candidate),
        current_point=operating_point(y, current, bounds),
        candidate_point=operating_point(y, candidate, bounds),
        thresholds={"publish": bounds.publish, "reject": bounds.reject},
    )


def live_version(*, model: str, site: Site | None) -> ModelVersion | None:
    return ModelVersion.objects.filter(
        model=model, site=site, status=ModelVersion.Status.LIVE
    ).first()


def _live_scores(model_name: str, site: Site | None, texts: list[str]) -> np.ndarray:
    """What the site decides with today: its live layer, else the live shared model."""
    shared = scoring.loaded_models()[model_name]
    current = live_version(model=model_name, site=site) if site is not None else None
    if current is not None:
        layer = load_site_layer(versions.versions_dir() / current.folder)
        return layer.score(shared, texts)
    return shared.score(texts)


@dataclass(frozen=True)
class RetrainOutcome:
    version: ModelVersion
    comparison: Comparison

    @property
    def promoted(self) -> bool:
        return self.version.status == ModelVersion.Status.LIVE


def _new_folder(kind: str, model: str) -> tuple[Path, str]:
    stamp = timezone.now().strftime("%Y%m%dT%H%M%S%f")
    relative = f"{kind}/{model}/{stamp}"
    return versions.versions_dir() / relative, relative


def site_retrain(*, model: str, site: Site, shadow: bool = False) -> RetrainOutcome:
    """Fit a site layer on the site's training labels; promote it (or shadow it) if it is better."""
    split = labels_split(model=model, site=site)
    missing = labels_missing(split)
    if missing:
        raise RetrainError(missing, fields={"labels": [missing]})
    shared = scoring.loaded_models()[model]
    layer = fit_site_layer(shared, [r.text for r in split.train], [r.label for r in split.train])
    folder, relative = _new_folder(f"sites/{site.pk}", model)
    digest = save_site_layer(layer, folder)
    version = f"site{site.pk}-{model}-{digest[:8]}"
    texts = [r.text for r in split.held_out]
    y = np.array([r.label for r in split.held_out])
    comparison = compare(
        y,
        _live_scores(model, site, texts),
        layer.score(shared, texts),
        _site_thresholds(site, shared.labels[0]),
    )
    comparison.extra.update({"train_rows": len(split.train), "layer": layer.meta})
    return _record(model, site, relative, version, comparison, shadow)


def _require_training_setup(data_dir: Path) -> None:
    if not data_dir.is_dir():
        raise RetrainError(
            f"No training data in {data_dir}: set ML_DATA_DIR to the folder holding spam/, "
            "toxicity/ and news/ (see ml/README.md).",
            fields={"ML_DATA_DIR": [str(data_dir)]},
        )
    for package in ("sklearn", "tqdm", "matplotlib"):
        if importlib.util.find_spec(package) is None:
            raise RetrainError(
                f"Training needs the {package} package: pip install -r requirements.txt.",
                fields={"package": [package]},
            )


def shared_retrain(*, model: str, train_fn: Any = None) -> RetrainOutcome:
    """Retrain the shared model on the training data plus every site's training labels, and
    compare it with the live shared model on every site's held-out moderator labels."""
    data_dir = Path(settings.ML_DATA_DIR)
    _require_training_setup(data_dir)
    split = labels_split(model=model, site=None)
    missing = labels_missing(split)
    if missing:
        raise RetrainError(missing, fields={"labels": [missing]})
    if train_fn is None:
        from ml.train import train as train_fn
    folder, relative = _new_folder("shared", model)
    with tempfile.TemporaryDirectory() as tmp:
        extra = Path(tmp) / "labels.csv"
        with extra.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["text", "label"])
            writer.writerows([r.text, f"{r.label:g}"] for r in split.train)
        train_fn(model, data_dir, folder, [extra])
    candidate = ml.load_model(model, folder)
    texts = [r.text for r in split.held_out]
    y = np.array([r.label for r in split.held_out])
    label = candidate.labels[0]
    current_bounds = _site_thresholds(None, label)
    comparison = compare(
        y, scoring.loaded_models()[model].score(texts), candidate.score(texts), current_bounds
    )
    # The candidate decides with its own thresholds once promoted.
    own = candidate.thresholds[label]
    comparison.candidate_point = operating_point(
        y, candidate.score(texts), policy.Thresholds(own["publish"], own["reject"])
    )
    comparison.extra["train_rows"] = len(split.train)
    return _record(model, None, relative, candidate.version, comparison, False)


def _record(
    model: str, site: Site | None, folder: str, version: str, comparison: Comparison, shadow: bool
) -> RetrainOutcome:
    with transaction.atomic():
        if shadow:
            ModelVersion.objects.filter(
                model=model, site=site, status=ModelVersion.Status.SHADOW
            ).update(status=ModelVersion.Status.RETIRED)
            status = ModelVersion.Status.SHADOW
        else:
            status = (
                ModelVersion.Status.LIVE if comparison.better else ModelVersion.Status.NOT_PROMOTED
            )
        current = live_version(model=model, site=site)
        row = ModelVersion.objects.create(
            model=model,
            site=site,
            folder=folder,
            version=version,
            status=status,
            metrics=comparison.as_dict(),
            replaces=current if status == ModelVersion.Status.LIVE else None,
            promoted_at=timezone.now() if status == ModelVersion.Status.LIVE else None,
        )
        if status == ModelVersion.Status.LIVE and current is not None:
            current.status = ModelVersion.Status.RETIRED
            current.save(update_fields=["status"])
        marker_sync()
    if status == ModelVersion.Status.NOT_PROMOTED:
        # Nothing will ever load it; keep its metrics, not its arrays.
        shutil.rmtree(versions.versions_dir() / folder, ignore_errors=True)
    return RetrainOutcome(row, comparison)


def model_rollback(*, model: str, site: Site | None) -> tuple[ModelVersion, ModelVersion | None]:
    """Retire the live version and bring back the one it replaced (None: the shipped model)."""
    with transaction.atomic():
        current = live_version(model=model, site=site)
        if current is None:
            where = f"site {site.domain}" if site else "the shared model"
            raise RetrainError(
                f"No promoted {model} version for {where}: it already runs the shipped model.",
                fields={"rollback": ["nothing to roll back"]},
            )
        current.status = ModelVersion.Status.ROLLED_BACK
        current.save(update_fields=["status"])
        previous = current.replaces
        if previous is not None:
            previous.status = ModelVersion.Status.LIVE
            previous.promoted_at = timezone.now()
            previous.save(update_fields=["status", "promoted_at"])
        marker_sync()
    return current, previous


def marker_sync() -> None:
    """Rewrite the marker from the live and shadow versions; processes pick it up."""
    doc: dict[str, Any] = {"shared": {}, "sites": {}, "shadow": {}}
    live = ModelVersion.Status.LIVE, ModelVersion.Status.SHADOW
    for row in ModelVersion.objects.filter(status__in=live).order_by("id"):
        entry = {"folder": row.folder, "version": row.version, "id": row.pk}
        if row.site_id is None:
            doc["shared"][row.model] = row.folder
        elif row.status == ModelVersion.Status.LIVE:
            doc["sites"].setdefault(str(row.site_id), {})[row.model] = entry
        else:
            doc["shadow"].setdefault(str(row.site_id), {})[row.model] = entry
    doc["written_at"] = timezone.now().isoformat()
    versions.marker_write(doc)


def shadow_scores_record(
    *,
    comment: Comment,
    scores: dict[str, float],
    thresholds: dict[str, policy.Thresholds],
    live_status: str,
) -> list[ShadowScore]:
    """Score a just-decided comment with its site's shadow candidates; decide nothing."""
    site_id = comment.article.site_id
    recorded = []
    for name, entry in scoring.shadow_entries(site_id).items():
        try:
            value = scoring.shadow_score(comment.body, site_id, name)
        except (SiteLayerError, OSError):
            # A trial must never stand in the way of the live decision, already made.
            logger.exception("Shadow candidate %s could not score comment %s", entry, comment.pk)
            continue
        label = scoring.loaded_models()[name].labels[0]
        if value is None or label not in scores:
            continue
        would = policy.decide({**scores, label: value}, thresholds)
        row, _ = ShadowScore.objects.get_or_create(
            comment=comment,
            version_id=entry["id"],
            defaults={
                "label": label,
                "live_score": scores[label],
                "shadow_score": round(value, 6),
                "live_status": live_status,
                "shadow_status": would.status,
            },
        )
        recorded.append(row)
    return recorded


def threshold_change_confirm(
    *, site: Site, model: str, target: Target, user: Any
) -> ThresholdChange:
    """A site manager confirms thresholds from a target: the proposal is computed again here,
    saved as the site's thresholds for that label, and recorded with its backtest."""
    if not (
        user.has_perm("moderation.add_thresholdchange")
        and user.has_perm("moderation.change_sitethreshold")
        and sites_visible_to(user=user).filter(pk=site.pk).exists()
    ):
        raise PermissionDeniedError(
            "Only a manager of this site may change its thresholds.",
            fields={"site": [site.domain]},
        )
    proposal = thresholds_propose(site=site, model=model, target=target)
    after = proposal.after
    with transaction.atomic():
        SiteThreshold.objects.update_or_create(
            site=site,
            label=proposal.label,
            defaults={
                "publish_below": after["publish"],
                "reject_above": after["reject"],
                # Chosen against the scores of the model live now (see SiteThreshold.set_for).
                "model_version": scoring.label_versions().get(proposal.label, ""),
            },
        )
        return ThresholdChange.objects.create(
            site=site,
            label=proposal.label,
            target=target.as_dict(),
            source=proposal.source,
            before=proposal.before,
            after=after,
            backtest={**proposal.backtest, "notes": proposal.notes},
            confirmed_by=user,
        )
