from datetime import timedelta

import pytest
from django.utils import timezone

from moderation import services, tasks
from moderation.errors import ConflictError, NotFoundError
from moderation.models import Actor, Comment, ModerationEvent, SiteThreshold
from tests.moderation.factories import ArticleFactory, CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db


def submit(article, **overrides):
    fields = {
        "article_id": article.pk,
        "author_name": "Ana",
        "author_email": "ana@example.org",
        "body": "Who audits the prisons once the fee is paid?",
    }
    return services.comment_submit(**{**fields, **overrides})


@pytest.fixture
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    return sent


def test_it_stores_a_pending_comment_and_queues_it_only_after_commit(
    article, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment, token = submit(article)
        assert queued == []
    # Scoring only: nobody listens for comment.created (no endpoint, no email asked for).
    assert len(callbacks) == 1
    assert queued == [comment.pk]
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert token not in comment.status_token_hash
    assert comment.token_matches(token)
    assert not comment.token_matches(token + "x")


def test_a_broker_outage_at_submit_time_loses_no_comment(
    article, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(_comment_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(tasks.comment_score_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        comment, _ = submit(article)
    assert Comment.objects.get(pk=comment.pk).status == Status.PENDING


def test_it_rejects_a_comment_on_an_unknown_article(db):
    with pytest.raises(NotFoundError) as error:
        services.comment_submit(
            article_id=999, author_name="a", author_email="a@example.org", body="hi"
        )
    assert "article_id" in error.value.fields


def test_it_refuses_comments_on_a_closed_article(queued):
    with pytest.raises(ConflictError) as error:
        submit(ArticleFactory(comments_open=False))
    assert "article_id" in error.value.fields
    assert Comment.objects.count() == 0


def test_it_refuses_comments_once_the_closing_date_has_passed(queued):
    closed = ArticleFactory(comments_close_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ConflictError):
        submit(closed)
    still_open = ArticleFactory(comments_close_at=timezone.now() + timedelta(days=1))
    assert submit(still_open)[0].pk


def test_a_reply_to_the_last_level_joins_that_level(article, queued):
    chain = [CommentFactory(article=article, status=Status.APPROVED)]
    for _ in range(3):  # levels 2 to 4 of the default depth
        chain.append(CommentFactory(article=article, parent=chain[-1], status=Status.APPROVED))
    reply, _ = submit(article, parent_id=chain[-1].pk)
    assert reply.parent == chain[2]


def test_with_one_level_replies_become_top_level_comments(article, queued):
    article.site.thread_max_depth = 1
    article.site.save()
    parent = CommentFactory(article=article, status=Status.APPROVED)
    reply, _ = submit(article, parent_id=parent.pk)
    assert reply.parent is None


def test_it_rejects_a_parent_on_another_article(article, queued):
    elsewhere = CommentFactory()
    with pytest.raises(NotFoundError) as error:
        submit(article, parent_id=elsewhere.pk)
    assert "parent" in error.value.fields


def test_it_accepts_a_reply_to_a_comment_on_the_same_article(article, queued):
    parent = CommentFactory(article=article, status=Status.APPROVED)
    reply, _ = submit(article, parent_id=parent.pk)
    assert reply.parent == parent


@pytest.mark.parametrize("hidden", [Status.PENDING, Status.HELD, Status.REJECTED])
def test_it_refuses_a_reply_to_a_hidden_comment_as_if_it_did_not_exist(article, queued, hidden):
    parent = CommentFactory(article=article, status=hidden)
    with pytest.raises(NotFoundError) as error:
        submit(article, parent_id=parent.pk)
    assert error.value.fields == {"parent": [f"No comment {parent.pk} on article {article.pk}."]}
    assert not Comment.objects.exclude(pk=parent.pk).exists()


@pytest.mark.parametrize(
    "spam, toxicity, expected",
    [(0.05, 0.1, Status.APPROVED), (0.5, 0.1, Status.HELD), (0.1, 0.95, Status.REJECTED)],
)
def test_scoring_decides_by_policy_and_records_why(fake_scores, spam, toxicity, expected):
    fake_scores(spam=spam, toxicity=toxicity)
    comment = CommentFactory()
    decision = services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    assert decision.status == comment.status == expected
    assert comment.spam_score == spam and comment.toxicity_score == toxicity
    assert comment.model_versions == {"spam": "spam-test", "toxicity": "toxicity-test"}
    assert comment.decision_reason == decision.reason
    event = comment.events.get()
    assert (event.from_status, event.to_status) == (Status.PENDING, expected)
    assert event.actor == ModerationEvent.Actor.SYSTEM
    assert event.details["scores"]["spam"] == spam


def test_scoring_twice_writes_one_decision(fake_scores):
    calls = fake_scores(spam=0.01, toxicity=0.01)
    comment = CommentFactory()
    services.comment_score(comment_id=comment.pk)
    assert services.comment_score(comment_id=comment.pk) is None
    assert comment.events.count() == 1
    assert len(calls) == 1


def test_a_moderators_decision_before_scoring_is_never_overwritten(fake_scores, moderator):
    fake_scores(spam=0.99, toxicity=0.99)
    comment = CommentFactory()
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    assert services.comment_score(comment_id=comment.pk) is None
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    assert comment.spam_score is None


def test_the_site_policy_overrides_the_model_thresholds_label_by_label(fake_scores):
    fake_scores(spam=0.5, toxicity=0.5)
    comment = CommentFactory()
    site = comment.article.site
    SiteThreshold.objects.create(site=site, label="spam", publish_below=0.2, reject_above=0.4)
    decision = services.comment_score(comment_id=comment.pk)
    assert decision.status == Status.REJECTED
    assert decision.reason == "Rejected: spam 0.50 ≥ reject threshold 0.40."
    thresholds = comment.events.get().details["thresholds"]
    assert thresholds["spam"] == {"publish": 0.2, "reject": 0.4}
    assert thresholds["toxicity"] == {"publish": 0.3, "reject": 0.9}  # the model's own


def test_a_site_can_make_a_label_never_reject_automatically(fake_scores):
    fake_scores(spam=0.0, toxicity=0.99)
    comment = CommentFactory()
    SiteThreshold.objects.create(
        site=comment.article.site, label="toxicity", publish_below=0.3, reject_above=None
    )
    decision = services.comment_score(comment_id=comment.pk)
    assert decision.status == Status.HELD
    assert "never rejected automatically" in decision.reason


def test_scoring_a_comment_deleted_before_its_task_ran_is_a_no_op(fake_scores):
    calls = fake_scores(spam=0.5, toxicity=0.0)
    comment = CommentFactory()
    comment_id = comment.pk
    comment.delete()  # still pending, so it has no events and may go
    assert services.comment_score(comment_id=comment_id) is None
    assert calls == []
    assert ModerationEvent.objects.count() == 0


def test_a_moderators_decision_between_reading_and_writing_wins_over_scoring(
    fake_scores, moderator, monkeypatch
):
    """The conditional update sees the moderator's change the worker did not read."""
    fake_scores(spam=0.99, toxicity=0.0)
    comment = CommentFactory()
    real_decide = services.policy.decide

    def decide_while_a_moderator_acts(scores, thresholds, **kwargs):
        services.comment_approve(comment_id=comment.pk, moderator=moderator)
        return real_decide(scores, thresholds, **kwargs)

    monkeypatch.setattr(services.policy, "decide", decide_while_a_moderator_acts)
    assert services.comment_score(comment_id=comment.pk) is None
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED and comment.spam_score is None
    assert [e.actor for e in comment.events.all()] == [ModerationEvent.Actor.MODERATOR]


def test_the_system_may_only_decide_pending_comments():
    comment = CommentFactory(status=Status.HELD)
    with pytest.raises(ConflictError):
        services.comment_transition(
            comment=comment, to_status=Status.APPROVED, actor=Actor.SYSTEM, reason="Published."
        )
    assert comment.events.count() == 0


def test_a_transition_from_a_stale_read_is_a_conflict_and_writes_nothing(moderator):
    comment = CommentFactory(status=Status.HELD)
    stale = Comment.objects.get(pk=comment.pk)
    services.comment_reject(comment_id=comment.pk, moderator=moderator)
    with pytest.raises(ConflictError, match="changed by someone else"):
        services.comment_transition(
            comment=stale,
            to_status=Status.APPROVED,
            actor=Actor.MODERATOR,
            moderator=moderator,
            reason="ok",
        )
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED
    assert comment.events.count() == 1


def test_a_transition_records_extra_fields_label_and_details(moderator):
    comment = CommentFactory(status=Status.HELD)
    event = services.comment_transition(
        comment=comment,
        to_status=Status.REJECTED,
        actor=Actor.MODERATOR,
        moderator=moderator,
        reason="Advertising.",
        label="spam",
        details={"note": "third time this week"},
        fields={"spam_score": 0.7},
    )
    comment.refresh_from_db()
    assert (comment.status, comment.spam_score, comment.decision_reason) == (
        Status.REJECTED,
        0.7,
        "Advertising.",
    )
    assert comment.decided_at is not None
    assert (event.label, event.details, event.moderator) == (
        "spam",
        {"note": "third time this week"},
        moderator,
    )


def test_a_moderator_approves_a_held_comment_and_the_event_names_them(moderator):
    comment = CommentFactory(status=Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=moderator, reason="Fair criticism.")
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED
    event = comment.events.get()
    assert (event.from_status, event.to_status, event.moderator) == (
        Status.HELD,
        Status.APPROVED,
        moderator,
    )
    assert event.reason == "Fair criticism."


def test_a_moderator_can_reverse_a_decision(moderator):
    comment = CommentFactory(status=Status.REJECTED)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    services.comment_reject(comment_id=comment.pk, moderator=moderator)
    assert list(comment.events.values_list("to_status", flat=True)) == [
        Status.APPROVED,
        Status.REJECTED,
    ]
    assert comment.events.last().reason == "Rejected by a moderator."


@pytest.mark.parametrize("start", [Status.APPROVED, Status.REJECTED])
def test_a_moderator_sends_a_decided_comment_back_to_the_queue(moderator, start):
    comment = CommentFactory(status=start)
    returned = services.comment_send_back(comment_id=comment.pk, moderator=moderator)
    comment.refresh_from_db()
    assert returned.status == comment.status == Status.HELD
    event = comment.events.get()
    assert (event.from_status, event.to_status, event.moderator) == (start, Status.HELD, moderator)
    assert event.reason == "Sent back to the moderation queue by a moderator."


@pytest.mark.parametrize("start", [Status.PENDING, Status.HELD])
def test_only_decided_comments_can_be_sent_back(moderator, start):
    comment = CommentFactory(status=start)
    with pytest.raises(ConflictError):
        services.comment_send_back(comment_id=comment.pk, moderator=moderator)
    assert comment.events.count() == 0


def test_approving_an_approved_comment_is_a_conflict_and_writes_nothing(moderator):
    comment = CommentFactory(status=Status.APPROVED)
    with pytest.raises(ConflictError) as error:
        services.comment_approve(comment_id=comment.pk, moderator=moderator)
    assert "status" in error.value.fields
    assert comment.events.count() == 0


def test_moderating_an_unknown_comment_is_not_found(moderator):
    with pytest.raises(NotFoundError):
        services.comment_reject(comment_id=424242, moderator=moderator)


def test_only_stale_pending_comments_are_queued_again(queued):
    long_ago = timezone.now() - timedelta(minutes=10)
    stale = CommentFactory()
    Comment.objects.filter(pk=stale.pk).update(created_at=long_ago, last_enqueued_at=long_ago)
    held = CommentFactory(status=Status.HELD)
    Comment.objects.filter(pk=held.pk).update(created_at=long_ago, last_enqueued_at=long_ago)
    CommentFactory()  # fresh: its own task is still on the way
    assert services.comments_requeue_stale(older_than_seconds=120) == 1
    assert queued == [stale.pk]


def test_an_explanation_computed_on_read_is_stored_once_and_never_over_an_erasure():
    words = {"spam": [{"feature": "cheap", "weight": 1.0, "start": 0, "end": 5}]}
    comment = CommentFactory(body="cheap pills", scores={"spam": 0.7}, explanation={})
    assert services.comment_explanation_store(comment=comment, explanation=words)
    assert Comment.objects.get(pk=comment.pk).explanation == words
    assert not services.comment_explanation_store(comment=comment, explanation={"toxicity": []})

    erased = CommentFactory(body="cheap pills", scores={"spam": 0.7}, explanation={})
    Comment.objects.filter(pk=erased.pk).update(body="[deleted]")  # erased since it was read
    assert not services.comment_explanation_store(comment=erased, explanation=words)
    assert Comment.objects.get(pk=erased.pk).explanation == {}
