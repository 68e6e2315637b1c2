"""Labelled texts for retraining: moderators' decisions and Perspective suggestscore feedback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from moderation.models import Comment, ModerationEvent, Site
from moderation.perspective.models import ScoreSuggestion

# The models `python -m ml train --extra` retrains, by the label their CSV's `label` column holds.
TRAINABLE_MODELS = ("toxicity", "spam")


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: float  # probability of the model's main label (toxicity or spam)
    source: str  # "moderator" or "suggestscore"


def _rejected_for(comment: Comment, model: str) -> bool | None:
    """Whether a rejection says "spam" or "abusive": the model that scored it higher."""
    spam, toxicity = comment.spam_score, comment.toxicity_score
    if spam is None or toxicity is None:
        return None  # never scored: nothing says which kind of bad it was
    return (spam >= toxicity) == (model == "spam")


def moderator_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    """Each comment's latest moderator decision: approved is 0 for both models; rejected is 1
    for the model that scored it higher, and left out of the other model's data."""
    events: QuerySet[ModerationEvent] = ModerationEvent.objects.filter(
        actor=ModerationEvent.Actor.MODERATOR,
        to_status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED],
    ).select_related("comment")
    if site is not None:
        events = events.filter(comment__article__site=site)
    latest: dict[int, ModerationEvent] = {}
    for event in events.order_by("created_at", "id"):
        latest[event.comment_id] = event
    for event in latest.values():
        comment = event.comment
        if event.to_status == Comment.Status.APPROVED:
            yield LabelledText(comment.body, 0.0, "moderator")
        elif _rejected_for(comment, model):
            yield LabelledText(comment.body, 1.0, "moderator")


def suggested_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    """suggestscore feedback that carries this model's label (TOXICITY or SPAM)."""
    suggestions = ScoreSuggestion.objects.order_by("created_at", "id")
    if site is not None:
        suggestions = suggestions.filter(site=site)
    for suggestion in suggestions.iterator():
        value = suggestion.labels.get(model)
        if value is not None:
            yield LabelledText(suggestion.text, float(value), "suggestscore")


def training_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    if model not in TRAINABLE_MODELS:
        raise ValueError(f"model must be one of {', '.join(TRAINABLE_MODELS)}, not {model!r}")
    yield from moderator_labels(model=model, site=site)
    yield from suggested_labels(model=model, site=site)
