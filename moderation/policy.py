"""Turns model scores into a decision: publish, hold or reject, with the reason in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from moderation.models import Comment


@dataclass(frozen=True)
class Thresholds:
    """Below `publish`: publish. At or above `reject`: reject. Between: hold for a moderator."""

    publish: float
    reject: float

    def __post_init__(self) -> None:
        if not (0.0 <= self.publish <= 1.0 and 0.0 <= self.reject <= 1.0):
            raise ValueError(f"thresholds must lie in [0, 1], got {self}")
        if self.publish > self.reject:
            raise ValueError(f"publish threshold {self.publish} is above reject {self.reject}")


@dataclass(frozen=True)
class Decision:
    status: Comment.Status
    reason: str


def resolve_thresholds(
    model_defaults: Mapping[str, Mapping[str, float]],
    site_overrides: Mapping[str, Mapping[str, float]],
) -> dict[str, Thresholds]:
    """Each model's thresholds: the site's own where set, else the ones stored with the model."""
    resolved = {}
    for model, defaults in model_defaults.items():
        merged = {**defaults, **site_overrides.get(model, {})}
        publish, reject = merged["publish"], merged["reject"]
        # A site that raises only one bound must not invert the pair.
        if "publish" in site_overrides.get(model, {}):
            reject = max(reject, publish)
        else:
            publish = min(publish, reject)
        resolved[model] = Thresholds(publish=publish, reject=reject)
    return resolved


def decide(scores: Mapping[str, float], thresholds: Mapping[str, Thresholds]) -> Decision:
    """Reject if any model is sure, hold if any is unsure, publish only if all are clear."""
    rejecting, holding, clear = [], [], []
    for model, bounds in thresholds.items():
        score = scores[model]
        if score >= bounds.reject:
            rejecting.append(f"{model} score {score:.3f} ≥ reject threshold {bounds.reject:.3f}")
        elif score >= bounds.publish:
            holding.append(
                f"{model} score {score:.3f} ≥ publish threshold {bounds.publish:.3f} "
                f"(below reject threshold {bounds.reject:.3f})"
            )
        else:
            clear.append(f"{model} score {score:.3f} < publish threshold {bounds.publish:.3f}")
    if rejecting:
        return Decision(Comment.Status.REJECTED, "Rejected: " + "; ".join(rejecting) + ".")
    if holding:
        return Decision(Comment.Status.HELD, "Held for review: " + "; ".join(holding) + ".")
    return Decision(Comment.Status.APPROVED, "Published: " + "; ".join(clear) + ".")


def driving_label(
    status: str, scores: Mapping[str, float], thresholds: Mapping[str, Thresholds]
) -> str:
    """The label that held or rejected a comment: the one furthest into its hold band.

    Position in the band is (score - publish) / (reject - publish), so 1.0 is the reject
    threshold; labels of different models compare by how close each came to rejecting.
    A published comment has no driving label.
    """
    if status not in (Comment.Status.HELD, Comment.Status.REJECTED):
        return ""

    def position(label: str) -> float:
        bounds = thresholds[label]
        width = bounds.reject - bounds.publish
        if width <= 0:
            return float("inf") if scores[label] >= bounds.reject else float("-inf")
        return (scores[label] - bounds.publish) / width

    return max(thresholds, key=position, default="")
