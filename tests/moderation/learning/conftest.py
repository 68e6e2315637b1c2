"""A site's label history, built in bulk: scored comments, the policy's and a moderator's say."""

import random
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from moderation import scoring
from moderation.models import Actor, Comment, ModerationEvent
from tests.moderation.factories import ArticleFactory, ModeratorFactory

SENTENCES = [
    "The council should publish the full budget before the vote.",
    "I read the report and the numbers do not add up for me.",
    "Good reporting on the tram line, thank you.",
    "Who pays for the new stadium in the end?",
    "The minister answered none of the questions asked.",
    "My street has waited three years for that repair.",
    "Interesting piece, though the headline oversells it.",
    "Schools need the money more than the roads do.",
]


@pytest.fixture(autouse=True)
def _versions_dir(settings, tmp_path):
    """Each test promotes into a folder of its own, and every process reads it at once."""
    settings.ML_VERSIONS_DIR = str(tmp_path / "ml-versions")
    settings.ML_RELOAD_CHECK_SECONDS = 0
    scoring.models_cache_clear()
    yield
    scoring.models_cache_clear()


@pytest.fixture
def label_history():
    """Make `n` decided comments on `site`: those with `word` rejected as abuse, others approved."""

    def make(
        site,
        n=240,
        word="grobnik",
        seed=1,
        toxic_share=0.3,
        days=10,
        means=(0.4, 0.55),
        spread=0.15,
    ):
        rng = random.Random(seed)
        article = ArticleFactory(site=site)
        moderator = ModeratorFactory()
        now = timezone.now()
        comments, bad = [], []
        for i in range(n):
            toxic = rng.random() < toxic_share
            words = f"{rng.choice(SENTENCES)} {rng.choice(SENTENCES)}"
            body = f"{words} {word} {i}" if toxic else f"{words} {i}"
            score = round(min(1.0, max(0.0, rng.gauss(means[toxic], spread))), 4)
            comments.append(
                Comment(
                    article=article,
                    author_name="Reader",
                    author_email=f"r{i}@example.org",
                    body=body,
                    status=Comment.Status.REJECTED if toxic else Comment.Status.APPROVED,
                    status_token_hash="x",
                    toxicity_score=score,
                    spam_score=0.05,
                    scores={"toxicity": score, "spam": 0.05},
                    model_versions={"toxicity": "toxicity-test", "spam": "spam-test"},
                    decision_label="toxicity",
                )
            )
            bad.append(toxic)
        Comment.objects.bulk_create(comments)
        events = []
        for i, (comment, toxic) in enumerate(zip(comments, bad, strict=True)):
            when = now - timedelta(days=days * (n - i) / n)
            Comment.objects.filter(pk=comment.pk).update(created_at=when)
            events.append(
                ModerationEvent(
                    comment=comment,
                    from_status=Comment.Status.PENDING,
                    to_status=Comment.Status.HELD,
                    actor=Actor.SYSTEM,
                    reason="Held.",
                )
            )
            events.append(
                ModerationEvent(
                    comment=comment,
                    from_status=Comment.Status.HELD,
                    to_status=comment.status,
                    actor=Actor.MODERATOR,
                    moderator=moderator,
                    reason="Decided.",
                    label="abuse" if toxic else "",
                )
            )
        # A history in the past: the events are inserted with their own times (the log, and
        # its PostgreSQL trigger, refuse to change them afterwards).
        for i, event in enumerate(events):
            comment_index = i // 2
            when = now - timedelta(days=days * (n - comment_index) / n)
            if event.actor == Actor.MODERATOR:
                when += timedelta(hours=1 + comment_index % 20)
            event.created_at = min(when, now)
        created_at = ModerationEvent._meta.get_field("created_at")
        with mock.patch.object(created_at, "auto_now_add", False):
            ModerationEvent.objects.bulk_create(events)
        return comments

    return make
