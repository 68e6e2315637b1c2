"""Turns label scores into a decision: publish, hold or reject, with the reason in words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from moderation.models import Comment


@dataclass(frozen=True)
class Thresholds:
    """One label's bounds. Below `publish`: clear. At or above `reject`: reject (None: never)."""

    publish: float
    reject: float | None = None

    def __post_init__(self) -> None:
        bounds = [self.publish] if self.reject is None else [self.publish, self.reject]
        if not all(0.0 <= bound <= 1.0 for bound in bounds):
            raise ValueError(f"thresholds must lie in [0, 1], got {self}")
        if self.reject is not None and self.publish > self.reject:
            raise ValueError(f"publish threshold {self.publish} is above reject {self.reject}")


@dataclass(frozen=True)
class Decision:
    status: Comment.Status
    reason: str


def resolve_thresholds(
    model_defaults: Mapping[str, Mapping[str, float | None]],
    site_overrides: Mapping[str, Mapping[str, float | None]],
) -> dict[str, Thresholds]:
    """Each label's thresholds: the site's own row where it has one, else the model's."""
    resolved = {}
    for label, bounds in {**model_defaults, **site_overrides}.items():
        publish = bounds.get("publish")
        if publish is None:
            raise ValueError(f"{label}: no publish threshold in {dict(bounds)}")
        resolved[label] = Thresholds(publish=publish, reject=bounds.get("reject"))
    return resolved


def _words(label: str) -> str:
    return label.replace("_", " ")


def _pair(score: float, threshold: float) -> tuple[str, str]:
    """Score and threshold with two decimals, or more where two would make them look equal."""
    for places in range(2, 7):
        shown = f"{score:.{places}f}", f"{threshold:.{places}f}"
        if shown[0] != shown[1]:
            return shown
    return shown


def decide(
    scores: Mapping[str, float], thresholds: Mapping[str, Thresholds], *, trusted: bool = False
) -> Decision:
    """Reject if any label reaches its reject threshold, hold if any reaches its publish
    threshold, publish only if every label with thresholds is below it.

    Labels with thresholds but no score (a site's row for a label no model scores yet) are
    skipped; labels with a score but no thresholds do not decide.

    A trusted author's comment that would be held is published; a rejection stands.
    """
    rejecting, holding, clear = [], [], []
    for label, bounds in thresholds.items():
        if label not in scores:
            continue
        score = scores[label]
        if bounds.reject is not None and score >= bounds.reject:
            shown, reject = _pair(score, bounds.reject)
            rejecting.append(f"{_words(label)} {shown} ≥ reject threshold {reject}")
        elif score >= bounds.publish:
            shown, publish = _pair(score, bounds.publish)
            then = (
                "never rejected automatically"
                if bounds.reject is None
                else f"reject threshold {bounds.reject:.2f}"
            )
            holding.append(f"{_words(label)} {shown} ≥ publish threshold {publish} ({then})")
        else:
            shown, publish = _pair(score, bounds.publish)
            clear.append(f"{_words(label)} {shown} < {publish}")
    if rejecting:
        return Decision(Comment.Status.REJECTED, "Rejected: " + "; ".join(rejecting) + ".")
    if holding and trusted:
        return Decision(
            Comment.Status.APPROVED, "Published (trusted author): " + "; ".join(holding) + "."
        )
    if holding:
        return Decision(Comment.Status.HELD, "Held for review: " + "; ".join(holding) + ".")
    if not clear:
        # Nothing scored against a threshold: no basis to publish automatically.
        return Decision(Comment.Status.HELD, "Held for review: no label has thresholds.")
    return Decision(
        Comment.Status.APPROVED,
        "Published: every label below its publish threshold (" + "; ".join(clear) + ").",
    )


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
        # A label that never rejects on its own is measured against certainty (1.0).
        reject = 1.0 if bounds.reject is None else bounds.reject
        width = reject - bounds.publish
        if width <= 0:
            return float("inf") if scores[label] >= reject else float("-inf")
        return (scores[label] - bounds.publish) / width

    return max((label for label in thresholds if label in scores), key=position, default="")
