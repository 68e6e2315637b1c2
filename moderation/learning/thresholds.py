"""Thresholds from a target: "reject at precision >= 0.98", "send moderators at most 15%".

The reject threshold is the lowest at which the site's own labels show the target precision;
the publish threshold the lowest that keeps the share of the site's comments held for
moderators within the target (the site's other labels' thresholds held as they are). With fewer
than 200 moderator labels (20 of each kind), the shipped model's thresholds, chosen on news
validation, are proposed instead, and the proposal says so. The backtest replays the site's
scored comments through the whole policy with the proposed thresholds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from moderation import policy, scoring
from moderation.models import Comment, Site
from moderation.training.selectors import moderator_labels

# What retraining and thresholds need before a site's own labels count.
MIN_LABELS = 200
MIN_PER_CLASS = 20
SITE_LABELS = "site labels"
SHIPPED = "shipped news validation"
MIN_REJECTED_FOR_PRECISION = 10  # a precision measured on fewer rejections means little


@dataclass(frozen=True)
class Target:
    reject_precision: float | None = None  # e.g. 0.98
    max_held: float | None = None  # e.g. 0.15

    def __post_init__(self) -> None:
        for name in ("reject_precision", "max_held"):
            value = getattr(self, name)
            if value is not None and not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must lie in (0, 1], got {value}")

    def as_dict(self) -> dict[str, float]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass
class Proposal:
    site: Site
    label: str
    target: Target
    source: str
    before: dict[str, float | None]
    after: dict[str, float | None]
    backtest: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "target": self.target.as_dict(),
            "source": self.source,
            "before": self.before,
            "after": self.after,
            "backtest": self.backtest,
            "notes": self.notes,
        }


def _grid(scores: np.ndarray) -> np.ndarray:
    return np.unique(np.concatenate([np.round(scores, 4), np.linspace(0.0, 1.0, 201)]))


def reject_for_precision(y: np.ndarray, p: np.ndarray, precision: float) -> float | None:
    """The lowest threshold whose rejections reach `precision` on the labels (None: never)."""
    for t in _grid(p):
        rejected = p >= t
        if rejected.sum() < MIN_REJECTED_FOR_PRECISION:
            break
        if float(np.mean(y[rejected] >= 0.5)) >= precision:
            return float(t)
    return None


def _others(
    scores: list[dict[str, float]], thresholds: dict[str, policy.Thresholds], label: str
) -> np.ndarray:
    """Each comment's status from every other label: what this label's thresholds cannot undo."""
    rest = {k: v for k, v in thresholds.items() if k != label}
    return np.array([policy.decide(s, rest).status for s in scores])


def publish_for_held_share(
    p: np.ndarray, others: np.ndarray, reject: float | None, max_held: float
) -> float:
    """The lowest publish threshold that keeps the held share within `max_held`."""
    rejected_here = p >= reject if reject is not None else np.zeros(len(p), dtype=bool)
    for t in _grid(p):
        if reject is not None and t > reject:
            break
        held = (others == Comment.Status.HELD) | (
            (others == Comment.Status.APPROVED) & (p >= t) & ~rejected_here
        )
        if float(np.mean(held)) <= max_held:
            return float(t)
    return float(reject) if reject is not None else 1.0


def backtest(
    scores: list[dict[str, float]],
    thresholds: dict[str, policy.Thresholds],
    labelled: list[tuple[dict[str, float], float]],
) -> dict[str, Any]:
    """Published/held/rejected over the history, and mistakes on the labelled comments."""
    statuses = [str(policy.decide(s, thresholds).status) for s in scores]
    counts = {status: statuses.count(status) for status in ("approved", "held", "rejected")}
    total = max(len(statuses), 1)
    outcomes = [(policy.decide(s, thresholds).status, y >= 0.5) for s, y in labelled]
    rejected = [bad for status, bad in outcomes if status == Comment.Status.REJECTED]
    return {
        "comments": len(statuses),
        "published": counts["approved"],
        "held": counts["held"],
        "rejected": counts["rejected"],
        "held_share": round(counts["held"] / total, 4),
        "labelled": len(labelled),
        "reject_precision": round(sum(rejected) / len(rejected), 4) if rejected else None,
        "clean_rejected": sum(1 for s, bad in outcomes if s == "rejected" and not bad),
        "abusive_published": sum(1 for s, bad in outcomes if s == "approved" and bad),
    }


def site_history(site: Site, label: str) -> list[dict[str, float]]:
    rows = Comment.objects.filter(article__site=site).exclude(scores={})
    return [dict(s) for s in rows.values_list("scores", flat=True) if label in s]


def thresholds_propose(*, site: Site, model: str, target: Target) -> Proposal:
    """Thresholds for the model's main label meeting `target` on the site's own history."""
    label = scoring.loaded_models()[model].labels[0] if model in ("spam", "toxicity") else model
    current = policy.resolve_thresholds(scoring.default_thresholds(), site.threshold_overrides())
    before = {"publish": current[label].publish, "reject": current[label].reject}
    labels = [r for r in moderator_labels(model=model, site=site) if label in r.scores]
    y = np.array([r.label for r in labels])
    p = np.array([r.scores[label] for r in labels])
    positives = int(np.sum(y >= 0.5))
    history = site_history(site, label)
    notes: list[str] = []
    enough = len(y) >= MIN_LABELS and min(positives, len(y) - positives) >= MIN_PER_CLASS
    if enough:
        source = SITE_LABELS
        reject = before["reject"]
        if target.reject_precision is not None:
            reject = reject_for_precision(y, p, target.reject_precision)
            if reject is None:
                notes.append(
                    f"No threshold reaches precision {target.reject_precision:g} on these labels "
                    f"(with at least {MIN_REJECTED_FOR_PRECISION} rejections): never reject."
                )
        publish = before["publish"]
        if target.max_held is not None:
            h = np.array([s[label] for s in history])
            publish = publish_for_held_share(
                h, _others(history, current, label), reject, target.max_held
            )
        if reject is not None and publish is not None and publish > reject:
            publish = reject
        after = {"publish": publish, "reject": reject}
    else:
        source = SHIPPED
        shipped = scoring.default_thresholds()[label]
        after = {"publish": shipped["publish"], "reject": shipped["reject"]}
        notes.append(
            f"Only {len(y)} moderator labels ({positives} rejections); a target needs at least "
            f"{MIN_LABELS} with {MIN_PER_CLASS} of each kind, so these are the shipped model's "
            "thresholds, chosen on news validation."
        )
    proposed = {**current, label: policy.Thresholds(after["publish"] or 0.0, after["reject"])}
    labelled = [(r.scores, r.label) for r in labels]
    return Proposal(
        site=site,
        label=label,
        target=target,
        source=source,
        before=before,
        after=after,
        backtest={
            "before": backtest(history, current, labelled),
            "after": backtest(history, proposed, labelled),
        },
        notes=notes,
    )
