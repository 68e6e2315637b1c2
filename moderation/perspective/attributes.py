"""Perspective's attribute names and the model labels that score them, read off the models."""

from __future__ import annotations

from dataclasses import dataclass

import ml
from moderation import scoring

# Attribute -> the model label of the same meaning. An attribute is served only when a loaded
# model scores that label: one attribute's score is never passed off as another's.
ATTRIBUTE_LABELS = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "INSULT": "insult",
    "THREAT": "threat",
    "IDENTITY_ATTACK": "identity_attack",
    "PROFANITY": "profanity",
    "SPAM": "spam",
}

# Perspective's production and experimental attributes that no model here scores (yet): asking
# for one gets Perspective's own "does not support" error, unlike a name Perspective never had.
OTHER_PERSPECTIVE_ATTRIBUTES = frozenset(
    {
        "SEXUALLY_EXPLICIT",
        "FLIRTATION",
        "TOXICITY_EXPERIMENTAL",
        "SEVERE_TOXICITY_EXPERIMENTAL",
        "IDENTITY_ATTACK_EXPERIMENTAL",
        "INSULT_EXPERIMENTAL",
        "PROFANITY_EXPERIMENTAL",
        "THREAT_EXPERIMENTAL",
        "ATTACK_ON_AUTHOR",
        "ATTACK_ON_COMMENTER",
        "INCOHERENT",
        "INFLAMMATORY",
        "LIKELY_TO_REJECT",
        "OBSCENE",
        "UNSUBSTANTIAL",
        "AFFINITY_EXPERIMENTAL",
        "COMPASSION_EXPERIMENTAL",
        "CURIOSITY_EXPERIMENTAL",
        "NUANCE_EXPERIMENTAL",
        "PERSONAL_STORY_EXPERIMENTAL",
        "REASONING_EXPERIMENTAL",
        "RESPECT_EXPERIMENTAL",
    }
)

SUPPORTED_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True)
class ScoredBy:
    """The model and label behind one attribute."""

    model: ml.Model
    label: str


def supported_attributes() -> dict[str, ScoredBy]:
    """Every attribute some loaded model scores, e.g. {"TOXICITY": ScoredBy(toxicity, ...)}."""
    owners = {label: model for model in scoring.loaded_models().values() for label in model.labels}
    return {
        attribute: ScoredBy(owners[label], label)
        for attribute, label in ATTRIBUTE_LABELS.items()
        if label in owners
    }


def is_known(attribute: str) -> bool:
    return attribute in ATTRIBUTE_LABELS or attribute in OTHER_PERSPECTIVE_ATTRIBUTES
