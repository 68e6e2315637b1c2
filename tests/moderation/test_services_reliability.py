"""The safety net: no copies from the stale sweeper; comments no model can score are held."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from moderation import queue, scoring, services
from moderation.models import CLASSIFIER_UNAVAILABLE_LABEL, Actor, Comment
from tests.moderation.factories import CommentFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def sent(monkeypatch):
    """Scoring messages the broker took, by comment id."""
    messages = []

    def send(name, *args):
        assert name == queue.SCORE_COMMENT
        messages.append(args[0])

    monkeypatch.setattr(queue, "task_send", send)
    return messages


def _enqueued_long_ago(comment, minutes=10):
    Comment.objects.filter(pk=comment.pk).update(
        last_enqueued_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.fixture
def no_models(monkeypatch):
    def unavailable(text, site_id=None):
        raise scoring.ModelsUnavailable("model spam not found in /nowhere")

    monkeypatch.setattr(scoring, "scores_for_text", unavailable)
    monkeypatch.setattr(scoring, "scores_for_texts", unavailable)
    monkeypatch.setattr(scoring, "models_ready", lambda: False)


def test_a_comment_whose_message_is_still_young_is_not_sent_again(sent):
    comment = CommentFactory()
    _enqueued_long_ago(comment)
    assert services.comments_requeue_stale(older_than_seconds=120) == 1
    # The next ticks find its new message younger than the stale age: no storm of copies.
    assert services.comments_requeue_stale(older_than_seconds=120) == 0
    assert services.comments_requeue_stale(older_than_seconds=120) == 0
    assert sent == [comment.pk]
    comment.refresh_from_db()
    assert timezone.now() - comment.last_enqueued_at < timedelta(seconds=60)


def test_a_fresh_submission_waits_the_stale_age_before_any_copy(sent):
    CommentFactory()
    assert services.comments_requeue_stale(older_than_seconds=120) == 0
    assert sent == []


def test_the_sweeper_stops_at_the_broker_refusing_and_the_rest_stay_due(monkeypatch):
    first, second = CommentFactory(), CommentFactory()
    _enqueued_long_ago(first, minutes=20)
    _enqueued_long_ago(second, minutes=10)
    attempts = []

    def refuse(name, *args):
        attempts.append(args[0])
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(queue, "task_send", refuse)
    assert services.comments_requeue_stale(older_than_seconds=120) == 0
    assert attempts == [first.pk]  # one timeout, not one per comment
    first.refresh_from_db()
    assert timezone.now() - first.last_enqueued_at > timedelta(minutes=19)


def test_the_batch_stays_bounded(sent):
    for _ in range(5):
        _enqueued_long_ago(CommentFactory())
    assert services.comments_requeue_stale(older_than_seconds=120, limit=3) == 3
    assert services.comments_requeue_stale(older_than_seconds=120, limit=3) == 2


def test_without_models_a_comment_is_held_as_classifier_unavailable_at_once(no_models):
    comment = CommentFactory()
    decision = services.comment_score(comment_id=comment.pk)
    assert decision is not None and decision.status == Status.HELD
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    assert comment.decision_label == CLASSIFIER_UNAVAILABLE_LABEL
    assert "classifier unavailable" in comment.decision_reason
    [event] = comment.events.all()
    assert (event.from_status, event.to_status, event.actor) == ("pending", "held", Actor.SYSTEM)
    assert event.details["rules"][0]["rule"] == CLASSIFIER_UNAVAILABLE_LABEL


def test_a_held_unscored_comment_is_left_alone_while_the_models_are_still_missing(no_models):
    comment = CommentFactory()
    services.comment_score(comment_id=comment.pk)
    assert services.comment_score(comment_id=comment.pk) is None
    assert comment.events.count() == 1


def test_once_the_models_load_a_held_unscored_comment_is_decided_as_usual(
    no_models, fake_scores, monkeypatch
):
    comment = CommentFactory()
    services.comment_score(comment_id=comment.pk)
    fake_scores(spam=0.01, toxicity=0.02)
    decision = services.comment_score(comment_id=comment.pk)
    assert decision is not None and decision.status == Status.APPROVED
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.scores["spam"] == 0.01
    assert [(e.from_status, e.to_status, e.actor) for e in comment.events.all()] == [
        ("pending", "held", Actor.SYSTEM),
        ("held", "approved", Actor.SYSTEM),
    ]


def test_a_comment_a_moderator_acted_on_is_never_rescored(no_models, fake_scores, moderator):
    comment = CommentFactory()
    services.comment_score(comment_id=comment.pk)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    services.comment_decision_undo(moderator=moderator)  # back to held, reason restored
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    assert comment.decision_label == CLASSIFIER_UNAVAILABLE_LABEL
    fake_scores(spam=0.01, toxicity=0.02)
    assert services.comment_score(comment_id=comment.pk) is None
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_the_sweeper_requeues_held_unscored_comments_only_where_models_load(
    no_models, sent, monkeypatch, moderator
):
    unscored, touched = CommentFactory(), CommentFactory()
    for comment in (unscored, touched):
        services.comment_score(comment_id=comment.pk)
        _enqueued_long_ago(comment)
    services.comment_approve(comment_id=touched.pk, moderator=moderator)
    services.comment_send_back(comment_id=touched.pk, moderator=moderator, reason="Wait.")
    assert services.comments_requeue_stale(older_than_seconds=120) == 0
    monkeypatch.setattr(scoring, "models_ready", lambda: True)
    assert services.comments_requeue_stale(older_than_seconds=120) == 1
    assert sent == [unscored.pk]


def test_a_failed_load_is_logged_loudly_once_and_retried_at_most_every_n_seconds(
    settings, tmp_path, caplog, monkeypatch
):
    settings.ML_ARTIFACTS_DIR = str(tmp_path)  # an empty model folder
    settings.MODERATION_MODEL_RETRY_SECONDS = 3600
    loads = []
    real_load = scoring.ml.load_model
    monkeypatch.setattr(
        scoring.ml, "load_model", lambda name, **kw: loads.append(name) or real_load(name, **kw)
    )
    scoring.models_cache_clear()
    try:
        assert scoring.models_ready() is False
        assert scoring.models_ready() is False
        status = scoring.model_status()
        assert status["ready"] is False and "not found" in str(status["error"])
        assert len(loads) == 1  # the second and third calls did not touch the disk
        critical = [r for r in caplog.records if r.levelname == "CRITICAL"]
        assert len(critical) == 1 and "MODELS UNAVAILABLE" in critical[0].getMessage()
        settings.MODERATION_MODEL_RETRY_SECONDS = 1
        monkeypatch.setattr(scoring.time, "monotonic", lambda: 10.0**9)
        settings.ML_ARTIFACTS_DIR = str(scoring.ml.model.resolve_artifacts_dir(None))
        assert scoring.models_ready() is True  # restored artifacts load without a restart
    finally:
        scoring.models_cache_clear()
