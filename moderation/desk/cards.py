"""What the queue shows for one comment: score badges, the reason in plain words, the text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ml.model import LABELS as MODEL_LABELS
from moderation import policy, scoring
from moderation.models import Comment, Site

Status = Comment.Status

# How each label reads in a sentence: "the models are unsure whether it is <words>".
LABEL_WORDS = {
    "spam": "spam",
    "toxicity": "abusive",
    "severe_toxicity": "severely abusive",
    "insult": "insulting",
    "identity_attack": "an attack on a group",
    "threat": "a threat",
    "profanity": "profane",
}


def site_thresholds(site: Site) -> dict[str, policy.Thresholds]:
    """The thresholds the policy applies for this site now: its own, else each model's."""
    return policy.resolve_thresholds(scoring.default_thresholds(), site.threshold_overrides())


@dataclass(frozen=True)
class Badge:
    label: str
    score: float
    level: str  # "clear" (below publish), "hold", "reject" (at or past reject), "info" (no bounds)
    title: str

    @property
    def text(self) -> str:
        return f"{self.label} {self.score:.2f}"


def explanations_that_held(
    comment: Comment, thresholds: Mapping[str, policy.Thresholds]
) -> dict[str, list]:
    """The explanations of the models whose labels held or rejected the comment.

    Another model's words did not make the decision, so they are not highlighted; a comment no
    label held (a moderator sent it back, say) shows every model's.
    """
    scores = comment.scores or {}
    deciding = {
        model
        for model, labels in MODEL_LABELS.items()
        for label in labels
        if label in thresholds and _at_least(scores.get(label), thresholds[label].publish)
    }
    # Not stored yet (the worker stores none): only the models that show are explained.
    explanation = scoring.comment_explanation(comment, deciding or None)
    if not deciding:
        return dict(explanation)
    return {model: items for model, items in explanation.items() if model in deciding}


def _at_least(score: object, bound: float) -> bool:
    return isinstance(score, (int, float)) and score >= bound


def score_badges(
    scores: Mapping[str, object], thresholds: Mapping[str, policy.Thresholds]
) -> list[Badge]:
    """One badge per scored label, coloured by where its score falls against the site's thresholds.

    A label whose reject threshold is None is never rejected automatically: at or past its
    publish threshold it is "hold", however high the score.
    """
    badges = []
    for label, score in scores.items():
        if not isinstance(score, (int, float)):
            continue
        bounds = thresholds.get(label)
        if bounds is None:
            level, title = "info", f"{label} {score:.3f} (no threshold of its own)"
        else:
            if bounds.reject is not None and score >= bounds.reject:
                level = "reject"
            elif score >= bounds.publish:
                level = "hold"
            else:
                level = "clear"
            title = (
                f"{label} {score:.3f}: publish below {bounds.publish:.3f}, {_reject_words(bounds)}"
            )
        badges.append(Badge(label=label, score=float(score), level=level, title=title))
    order = {"reject": 0, "hold": 1, "clear": 2, "info": 3}
    return sorted(badges, key=lambda b: (order[b.level], -b.score))


def _reject_words(bounds: policy.Thresholds) -> str:
    if bounds.reject is None:
        return "never rejected automatically"
    return f"reject at {bounds.reject:.3f}"


def plain_reason(comment: Comment, thresholds: Mapping[str, policy.Thresholds]) -> str:
    """Why the models put the comment where it is, as a moderator would say it.

    Where house rules fired, the decision's own reason says it best: it names each rule.
    Otherwise without the thresholds' values: the recorded reason beside it states them, in the
    policy's rounding, and each badge's title gives the site's current ones.
    """
    if comment.fired_rules and comment.decision_reason:
        return comment.decision_reason
    scores = comment.scores or {}
    if comment.status == Status.PENDING and not scores:
        return "Not scored yet: the models have not seen it."
    unsure: list[str] = []
    sure: list[str] = []
    for label, bounds in thresholds.items():
        score = scores.get(label)
        if not isinstance(score, (int, float)):
            continue
        words = LABEL_WORDS.get(label, label.replace("_", " "))
        # The numbers are in the recorded reason (and each badge's title): said once, not twice.
        if bounds.reject is not None and score >= bounds.reject:
            sure.append(f"{words} ({label} {score:.2f}, past its reject threshold)")
        elif score >= bounds.publish:
            band = (
                "past its publish threshold, never rejected automatically"
                if bounds.reject is None
                else "between its publish and reject thresholds"
            )
            unsure.append(f"{words} ({label} {score:.2f}, {band})")
    if sure:
        return "The models are sure it is " + " and ".join(sure) + "."
    if unsure:
        return "The models are unsure whether it is " + " or ".join(unsure) + "."
    return "Every score is below its publish threshold: nothing looked wrong."


def history_summary(counts: dict[str, int]) -> str:
    return (
        f"{counts.get('approved', 0)} approved, {counts.get('held', 0)} held, "
        f"{counts.get('rejected', 0)} rejected"
    )
