import pytest

from moderation.models import Comment
from tests.moderation.factories import CommentFactory

Status = Comment.Status

EXPLAINED_BODY = "Buy cheap pills at spam.example now, you idiot"


def held_comment(**fields) -> Comment:
    """A held comment as the worker leaves it: scores, explanations and the reason."""
    values = {
        "status": Status.HELD,
        "body": EXPLAINED_BODY,
        "spam_score": 0.6,
        "toxicity_score": 0.4,
        "scores": {"spam": 0.6, "toxicity": 0.4, "insult": 0.35, "identity_attack": 0.01},
        "explanation": {
            "spam": [{"feature": "cheap", "weight": 1.2, "start": 4, "end": 9}],
            "toxicity": [{"feature": "idiot", "weight": 2.0, "start": 41, "end": 46}],
        },
        "decision_reason": "Held for review: spam score 0.600 ≥ publish threshold 0.127.",
        "decision_label": "spam",
        **fields,
    }
    return CommentFactory(**values)


@pytest.fixture
def moderator_client(client, moderator):
    client.force_login(moderator)
    client.user = moderator
    return client
