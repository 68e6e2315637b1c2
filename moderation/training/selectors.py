"""Labelled texts for retraining: moderators' decisions and Perspective suggestscore feedback.

Every moderator decision on a comment is a label. Approved is 0 for both models. A rejection
labelled "spam" (the queue's "reject as spam") is 1 for the spam model and says nothing to the
toxicity model; "abuse" is 1 for toxicity and says nothing to spam. A rejection without a label
(the API's reject) goes to the model that scored the comment higher. Undone decisions are not
labels, and a comment sent back to the queue has none until it is decided again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from moderation.models import Comment, ModerationEvent, Site
from moderation.perspective.models import ScoreSuggestion

# The models `python -m ml train --extra` retrains, by the label their CSV's `label` column holds.
TRAINABLE_MODELS = ("toxicity", "spam")
# What the queue's two kinds of rejection mean for each model.
REJECTION_LABELS = {"spam": "spam", "abuse": "toxicity"}


@dataclass(frozen=True)
class LabelledText:
    text: str
    label: float  # probability of the model's main label (toxicity or spam)
    source: str  # "moderator" or "suggestscore"
    comment_id: int | None = None
    site: str = ""
    decision: str = ""  # the moderator's: approved, rejected
    decision_label: str = ""  # the moderator's kind of rejection: spam, abuse or empty
    scores: dict[str, float] = field(default_factory=dict)
    model_versions: dict[str, str] = field(default_factory=dict)
    automatic_decision: str = ""  # what the policy decided: approved, held, rejected
    automatic_label: str = ""  # the label that drove it
    moderator: str = ""
    decided_at: datetime | None = None


def _rejected_for(comment: Comment, event: ModerationEvent, model: str) -> bool | None:
    """Whether a rejection is a positive for `model`; None when it says nothing about it."""
    if event.label in REJECTION_LABELS:
        return REJECTION_LABELS[event.label] == model
    spam, toxicity = comment.spam_score, comment.toxicity_score
    if spam is None or toxicity is None:
        return None  # never scored: nothing says which kind of bad it was
    return (spam >= toxicity) == (model == "spam")


def latest_moderator_decisions(*, site: Site | None = None) -> dict[int, ModerationEvent]:
    """comment id -> its moderator's latest standing decision (not undone, not an undo)."""
    events: QuerySet[ModerationEvent] = ModerationEvent.objects.filter(
        actor=ModerationEvent.Actor.MODERATOR, undoes__isnull=True, undone_by__isnull=True
    ).select_related("comment__article__site", "moderator")
    # A text its author had erased is no one's label any more (`author_erase --with-bodies`).
    events = events.exclude(comment__body=Comment.ERASED)
    if site is not None:
        events = events.filter(comment__article__site=site)
    latest: dict[int, ModerationEvent] = {}
    for event in events.order_by("created_at", "id"):
        latest[event.comment_id] = event
    return {
        cid: event
        for cid, event in latest.items()
        if event.to_status in (Comment.Status.APPROVED, Comment.Status.REJECTED)
    }


def _automatic_decisions(comment_ids: list[int]) -> dict[int, str]:
    rows = ModerationEvent.objects.filter(
        comment_id__in=comment_ids, actor=ModerationEvent.Actor.SYSTEM
    ).order_by("created_at", "id")
    return {e.comment_id: e.to_status for e in rows.only("comment_id", "to_status")}


def moderator_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    """Each comment's standing moderator decision as a label for `model`, with what the models
    said about it and what the automatic policy decided."""
    latest = latest_moderator_decisions(site=site)
    automatic = _automatic_decisions(list(latest))
    for event in latest.values():
        comment = event.comment
        if event.to_status == Comment.Status.APPROVED:
            label = 0.0
        elif _rejected_for(comment, event, model):
            label = 1.0
        else:
            continue
        yield LabelledText(
            text=comment.body,
            label=label,
            source="moderator",
            comment_id=comment.pk,
            site=comment.article.site.domain,
            decision=event.to_status,
            decision_label=event.label,
            scores=dict(comment.scores or {}),
            model_versions=dict(comment.model_versions or {}),
            automatic_decision=automatic.get(comment.pk, ""),
            automatic_label=comment.decision_label,
            moderator=event.moderator.get_username() if event.moderator else "",
            decided_at=event.created_at,
        )


def suggested_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    """suggestscore feedback that carries this model's label (TOXICITY or SPAM)."""
    suggestions = ScoreSuggestion.objects.select_related("site").order_by("created_at", "id")
    if site is not None:
        suggestions = suggestions.filter(site=site)
    for suggestion in suggestions.iterator():
        value = suggestion.labels.get(model)
        if value is not None:
            yield LabelledText(
                text=suggestion.text,
                label=float(value),
                source="suggestscore",
                site=suggestion.site.domain,
                decided_at=suggestion.created_at,
            )


def training_labels(*, model: str, site: Site | None = None) -> Iterator[LabelledText]:
    if model not in TRAINABLE_MODELS:
        raise ValueError(f"model must be one of {', '.join(TRAINABLE_MODELS)}, not {model!r}")
    yield from moderator_labels(model=model, site=site)
    yield from suggested_labels(model=model, site=site)


def _compact(mapping: dict[str, Any]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(mapping.items()))


def export_row(row: LabelledText) -> dict[str, Any]:
    """One CSV row: `text,label` first (what `ml train --extra` reads), then the context."""
    return {
        "text": row.text,
        "label": f"{row.label:g}",
        "source": row.source,
        "site": row.site,
        "comment_id": "" if row.comment_id is None else row.comment_id,
        "decision": row.decision,
        "decision_label": row.decision_label,
        "automatic_decision": row.automatic_decision,
        "automatic_label": row.automatic_label,
        "spam_score": row.scores.get("spam", ""),
        "toxicity_score": row.scores.get("toxicity", ""),
        "scores": _compact(row.scores),
        "model_versions": _compact(row.model_versions),
        "moderator": row.moderator,
        "decided_at": row.decided_at.isoformat() if row.decided_at else "",
    }


EXPORT_COLUMNS = list(export_row(LabelledText("", 0.0, "")).keys())
