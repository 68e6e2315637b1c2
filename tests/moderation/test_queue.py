"""Coalesced scoring messages (moderation.queue, moderation.batch): a comment gets a message of
its own only when no queued message will claim it; a batch clears the key before it claims."""

from __future__ import annotations

import pytest

from moderation import batch, queue, services
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory
from tests.moderation.test_batch import system_events

pytestmark = pytest.mark.django_db
Status = Comment.Status
KEY = queue.score_armed_key()


@pytest.fixture
def sent(monkeypatch):
    """Every message the broker took: (task name, its arguments)."""
    messages: list[tuple[str, tuple[object, ...]]] = []
    monkeypatch.setattr(queue, "task_send", lambda name, *args: messages.append((name, args)))
    return messages


def _scoring(sent) -> list[tuple[object, ...]]:
    return [args for name, args in sent if name == queue.SCORE_COMMENT]


def test_a_second_comment_sends_no_message_while_one_waits_to_claim(sent, broker_redis, settings):
    settings.MODERATION_STALE_PENDING_SECONDS = 120
    first, second = CommentFactory(), CommentFactory()
    queue.comment_score_send(first.pk)
    queue.comment_score_send(second.pk)
    assert _scoring(sent) == [(first.pk,)]
    # The key expires by itself should its message be lost.
    assert broker_redis.expiries[KEY] == queue.SCORE_ARMED_SECONDS


def test_the_key_lives_no_longer_than_the_stale_age(sent, broker_redis, settings):
    settings.MODERATION_STALE_PENDING_SECONDS = 3
    queue.comment_score_send(CommentFactory().pk)
    assert broker_redis.expiries[KEY] == 3


def test_once_a_batch_cleared_the_key_the_next_comment_sends_its_own(sent, broker_redis):
    first, second = CommentFactory(), CommentFactory()
    queue.comment_score_send(first.pk)
    queue.score_disarm()
    queue.comment_score_send(second.pk)
    assert _scoring(sent) == [(first.pk,), (second.pk,)]


def test_without_redis_every_comment_sends_its_own_message(sent, broker_redis):
    broker_redis.down = True
    first, second = CommentFactory(), CommentFactory()
    queue.comment_score_send(first.pk)
    queue.comment_score_send(second.pk)
    assert _scoring(sent) == [(first.pk,), (second.pk,)]


def test_a_message_the_broker_refused_leaves_the_key_clear(monkeypatch, broker_redis):
    def refuse(name, *args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queue, "task_send", refuse)
    comment = CommentFactory()
    queue.comment_score_send(comment.pk)
    # No message waits: the next submission must send one (the sweeper sends this one).
    assert KEY not in broker_redis.values
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_run_eagerly_every_comment_sends_its_own_message(sent, broker_redis, celery_eager):
    first, second = CommentFactory(), CommentFactory()
    queue.comment_score_send(first.pk)
    queue.comment_score_send(second.pk)
    assert _scoring(sent) == [(first.pk,), (second.pk,)]
    assert broker_redis.values == {}


def test_a_batch_clears_the_key_before_it_claims(models, sent, broker_redis, monkeypatch):
    article = ArticleFactory()
    armed = CommentFactory(article=article)
    queue.comment_score_send(armed.pk)
    # Submitted while that message waited: no message of its own.
    skipped = CommentFactory(article=article)
    queue.comment_score_send(skipped.pk)
    assert _scoring(sent) == [(armed.pk,)]
    seen_at_claim = []
    claim = batch._claim

    def watched(comment_id, limit):
        seen_at_claim.append(dict(broker_redis.values))
        return claim(comment_id, limit)

    monkeypatch.setattr(batch, "_claim", watched)
    decided = batch.comments_score_batch(comment_id=armed.pk, limit=50)

    assert seen_at_claim == [{}]
    assert set(decided) == {armed.pk, skipped.pk}
    assert system_events([armed.pk, skipped.pk]) == {armed.pk: 1, skipped.pk: 1}


def test_a_message_whose_comment_was_decided_still_claims_the_others(models, sent):
    article = ArticleFactory()
    decided_first = CommentFactory(article=article)
    batch.comments_score_batch(comment_id=decided_first.pk, limit=50)
    # Comments that relied on this message, committed after its own comment was decided.
    later = [CommentFactory(article=article) for _ in range(2)]

    decided = batch.comments_score_batch(comment_id=decided_first.pk, limit=50)

    assert set(decided) == {c.pk for c in later}
    assert system_events([decided_first.pk, *(c.pk for c in later)]) == dict.fromkeys(
        [decided_first.pk, *(c.pk for c in later)], 1
    )


def test_a_full_batch_queues_the_next_and_arms_the_key(
    models, sent, broker_redis, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    ids = [CommentFactory(article=article).pk for _ in range(5)]

    # Without row locks (SQLite) the next message goes once the batch commits.
    with django_capture_on_commit_callbacks(execute=True):
        decided = batch.comments_score_batch(comment_id=ids[4], limit=2)

    assert set(decided) == {ids[4], ids[0]}
    assert _scoring(sent) == [()]  # no comment of its own: the oldest pending ones
    assert KEY in broker_redis.values  # comments submitted meanwhile rely on it
    with django_capture_on_commit_callbacks(execute=True):
        assert set(batch.comments_score_batch(comment_id=None, limit=2)) == {ids[1], ids[2]}
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert set(batch.comments_score_batch(comment_id=None, limit=2)) == {ids[3]}
    assert _scoring(sent) == []  # not full: nothing left to claim
    assert set(system_events(ids).values()) == {1}


def test_the_sweeper_sends_one_message_per_batch_of_stale_comments(sent):
    ids = [CommentFactory().pk for _ in range(5)]
    Comment.objects.filter(pk__in=ids).update(last_enqueued_at="2020-01-01T00:00:00Z")

    assert services.comments_requeue_stale(older_than_seconds=120, per_message=2) == 5

    assert _scoring(sent) == [(ids[0],), (ids[2],), (ids[4],)]
    assert services.comments_requeue_stale(older_than_seconds=120, per_message=2) == 0


def test_with_redis_down_a_refused_message_does_not_touch_the_key_again(monkeypatch, broker_redis):
    calls = []

    def refuse(name, *args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(queue, "task_send", refuse)
    monkeypatch.setattr(queue, "score_disarm", lambda: calls.append("disarm"))
    broker_redis.down = True
    queue.comment_score_send(CommentFactory().pk)
    assert calls == []  # one failed round trip to Redis per submission, not two
