"""A burst of submissions through the API, decided by a real worker in batches, each once."""

from __future__ import annotations

import time

import pytest
from django.db.models import Count

from moderation import queue
from moderation.models import Actor, Article, Comment, ModerationEvent, Site
from moderation.rules.models import SiteRules
from tests.e2e.test_pipeline import CLEAN, DECISION_TIMEOUT_SECONDS, SPAM, _request

BURST = 60


def _assert_each_decided_once(ids: list[int]) -> None:
    """Waits until none of the comments is pending; each has exactly one system decision."""
    deadline = time.monotonic() + DECISION_TIMEOUT_SECONDS
    pending = Comment.objects.filter(pk__in=ids, status=Comment.Status.PENDING)
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(0.25)

    assert not pending.exists()
    counts = dict(
        ModerationEvent.objects.filter(comment_id__in=ids, actor=Actor.SYSTEM)
        .values_list("comment_id")
        .annotate(n=Count("id"))
    )
    assert counts == dict.fromkeys(ids, 1)


@pytest.mark.e2e
@pytest.mark.slow
def test_a_burst_of_submissions_is_decided_with_exactly_one_decision_each(
    live_server, transactional_db, celery_worker_process, celery_producer, monkeypatch
):
    from rest_framework.throttling import ScopedRateThrottle

    # The live server runs here: its backstop rate per address is raised for one test client.
    rates = {**ScopedRateThrottle.THROTTLE_RATES, "comment_submit": "1000/minute"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    site = Site.objects.create(name="The Burst Herald", domain="burst.example")
    # The per-site flood and duplicate limits would refuse a burst from one test client.
    SiteRules.objects.create(site=site, flood_per_minute=None, duplicate_minutes=None)
    article = Article.objects.create(site=site, title="Harbour tunnel", url="")
    url = f"{live_server.url}/api/v1/articles/{article.pk}/comments/"
    ids = []
    for index in range(BURST):
        body = f"{SPAM if index % 4 == 0 else CLEAN} ({index})"
        status, answer = _request(
            "POST",
            url,
            {
                "author_name": f"Reader {index}",
                "author_email": f"r{index}@example.com",
                "body": body,
            },
        )
        assert status == 202
        ids.append(answer["id"])

    _assert_each_decided_once(ids)
    statuses = set(Comment.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert Comment.Status.APPROVED in statuses and Comment.Status.REJECTED in statuses


@pytest.mark.e2e
@pytest.mark.slow
def test_a_backlog_behind_one_waiting_message_is_decided_by_its_chain_of_batches(
    transactional_db, celery_worker_process, celery_producer, monkeypatch, settings
):
    """Comments committed while a scoring message waits send none of their own; that message's
    batch and the ones each full batch queues decide them all, each once."""
    site = Site.objects.create(name="The Backlog Herald", domain="backlog.example")
    SiteRules.objects.create(site=site, flood_per_minute=None, duplicate_minutes=None)
    article = Article.objects.create(site=site, title="Harbour tunnel", url="")
    ids = [
        Comment.objects.create(
            article=article,
            author_name=f"Reader {index}",
            author_email=f"r{index}@example.com",
            body=f"{SPAM if index % 4 == 0 else CLEAN} ({index})",
        ).pk
        # Two full batches and half of one (the worker reads the same setting).
        for index in range(settings.MODERATION_SCORE_BATCH * 5 // 2)
    ]
    sent: list[tuple[object, ...]] = []
    send = queue.task_send
    monkeypatch.setattr(
        queue, "task_send", lambda name, *args: (sent.append(args), send(name, *args))
    )
    # A message is queued and has not claimed yet (the worker is busy elsewhere, say).
    queue.broker_redis().set(queue.score_armed_key(), "1", ex=60)
    for comment_id in ids:
        queue.comment_score_send(comment_id)
    assert sent == []
    # That message arrives: it claims a batch, and each full batch queues the next.
    celery_producer.send_task(queue.SCORE_COMMENT, args=[ids[-1]])

    _assert_each_decided_once(ids)
    # Each full batch queued the next: three batches or more.
    batches = Comment.objects.filter(pk__in=ids).values("decided_at").distinct().count()
    assert batches >= 3
