import pytest

from moderation import policy, scoring
from moderation.models import Comment
from tests.moderation.factories import CommentFactory

Status = Comment.Status

EXPLAINED_BODY = "Buy cheap pills at spam.example now, you idiot"


def held_comment(**fields) -> Comment:
    """A held comment as the queue shows it: scores, the reason and its label, and the
    explanation the queue stored when it first showed it (the worker stores none).

    By default spam holds it; its toxicity is below every toxicity threshold.
    """
    spam, toxicity = fields.pop("spam_score", 0.6), fields.pop("toxicity_score", 0.04)
    scores = {"spam": spam, "toxicity": toxicity, "insult": toxicity * 0.8, "identity_attack": 0.01}
    thresholds = policy.resolve_thresholds(scoring.default_thresholds(), {})
    decision = policy.decide(scores, thresholds)
    values = {
        "status": Status.HELD,
        "body": EXPLAINED_BODY,
        "spam_score": spam,
        "toxicity_score": toxicity,
        "scores": scores,
        "explanation": {
            "spam": [{"feature": "cheap", "weight": 1.2, "start": 4, "end": 9}],
            "toxicity": [{"feature": "idiot", "weight": 2.0, "start": 41, "end": 46}],
        },
        "decision_reason": decision.reason,
        "decision_label": policy.driving_label(Status.HELD, scores, thresholds),
        **fields,
    }
    return CommentFactory.create(**values)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    client.user = moderator
    return client
