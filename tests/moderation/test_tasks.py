import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from moderation import batch, scoring, tasks
from moderation.models import Comment
from tests.moderation.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_a_submitted_comment_is_scored_by_the_task_after_commit(
    celery_eager, fake_scores, article, django_capture_on_commit_callbacks
):
    fake_scores(spam=0.01, toxicity=0.02)
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post(
            f"/api/v1/articles/{article.pk}/comments/",
            {"author_name": "Ana", "author_email": "ana@example.org", "body": "Fair point."},
            format="json",
        )
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.status == Comment.Status.APPROVED
    assert comment.events.count() == 1


def test_running_the_task_twice_writes_one_decision(celery_eager, fake_scores):
    fake_scores(spam=0.95, toxicity=0.0)
    comment = CommentFactory()
    assert tasks.comment_score_task.delay(comment.pk).get() == "rejected"
    assert tasks.comment_score_task.delay(comment.pk).get() is None
    assert comment.events.count() == 1


def test_the_task_retries_transient_database_errors(celery_eager, fake_scores, monkeypatch):
    fake_scores(spam=0.0, toxicity=0.0)
    real = batch.comments_score_batch
    attempts = []

    def flaky(*, comment_id, limit):
        attempts.append(comment_id)
        if len(attempts) == 1:
            raise OperationalError("database is locked")
        return real(comment_id=comment_id, limit=limit)

    monkeypatch.setattr(batch, "comments_score_batch", flaky)
    comment = CommentFactory()
    # Eager apply() runs the retry in place when it does not propagate the Retry.
    result = tasks.comment_score_task.apply(args=[comment.pk], throw=False)
    assert result.get() == "approved"
    comment.refresh_from_db()
    assert len(attempts) == 2
    assert comment.status == Comment.Status.APPROVED


def test_models_are_loaded_once_per_process_not_per_task(monkeypatch, celery_eager):
    loads = []

    class FakeModel:
        version = "fake-1"

        def __init__(self, name):
            self.name = name
            self.labels = (name,)
            self.thresholds = {name: {"publish": 0.3, "reject": 0.9}}

        def score_labels(self, texts):
            return {self.name: [0.0 for _ in texts]}

        def explain(self, text, top=5):
            return []

    def fake_load(name, artifacts_dir=None):
        loads.append(name)
        return FakeModel(name)

    monkeypatch.setattr(scoring.ml, "load_model", fake_load)
    scoring.models_cache_clear()
    try:
        for _ in range(3):
            tasks.comment_score_task.delay(CommentFactory().pk)
        assert sorted(loads) == ["spam", "toxicity"]
        assert Comment.objects.filter(status=Comment.Status.APPROVED).count() == 3
    finally:
        scoring.models_cache_clear()


def test_the_periodic_task_requeues_stale_pending_comments(monkeypatch, settings):
    settings.MODERATION_STALE_PENDING_SECONDS = 0
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    comment = CommentFactory()
    assert tasks.requeue_stale_pending_comments() == 1
    assert sent == [comment.pk]
