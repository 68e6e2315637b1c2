"""A batch's notifications (moderation.notify.batch): an outbox row and a message only for the
changes someone may hear of; each listener still told once, the broker's outages survived."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.utils import timezone

from moderation import batch, queue
from moderation.models import Comment
from moderation.notify import services as notify
from moderation.notify.models import (
    HeldCommentNotice,
    NotificationOutbox,
    SiteNotificationSettings,
    Subscriber,
    SubscriberEmail,
    WebhookEndpoint,
    WebhookMessage,
)
from tests.moderation.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status
Kind = SubscriberEmail.Kind


@pytest.fixture
def sent(monkeypatch):
    """The notify tasks sent to the (eager) broker, by name; `down` makes it refuse them.

    Webhook deliveries are recorded, not run: no receiver listens at hooks.example."""
    names: list[str] = []
    state = {"down": False, "names": names}
    real_send = queue.task_send

    def send(name, *args):
        if name.startswith(queue.NOTIFY):
            if state["down"]:
                raise ConnectionError("the broker is down")
            names.append(name.removeprefix(queue.NOTIFY))
        if not name.endswith("webhook_deliver_task"):
            real_send(name, *args)

    monkeypatch.setattr(queue, "task_send", send)
    return state


def mixed_batch(article):
    """An approved, a held and a rejected comment, decided by one batch; their ids."""
    return [
        CommentFactory(article=article, body=body).pk
        for body in ("Who inspects the prisons?", "Who pays MAYBE?", "Buy now SPAM")
    ]


def decide(ids, run_on_commit):
    with run_on_commit():
        decided = batch.comments_score_batch(comment_id=ids[0], limit=10)
    return decided


def subscribe(comment):
    notify.comment_subscription_create(comment=comment)
    Subscriber.objects.update(confirmed_at=timezone.now())


def test_a_batch_on_a_site_nobody_listens_to_writes_no_outbox_row_and_queues_nothing(
    models, sent, run_on_commit
):
    article = ArticleFactory()
    # Listeners elsewhere, and some that hear nothing of these changes, change nothing.
    WebhookEndpoint.objects.create(
        site=ArticleFactory().site, url="https://hooks.example/o", events=["comment.held"]
    )
    WebhookEndpoint.objects.create(
        site=article.site, url="https://hooks.example/c", events=["comment.created"]
    )
    WebhookEndpoint.objects.create(
        site=article.site, url="https://hooks.example/i", events=["comment.held"], is_active=False
    )
    SiteNotificationSettings.objects.create(site=article.site, moderator_emails=" \n ")
    subscribe(CommentFactory(article=ArticleFactory(site=article.site), status=Status.APPROVED))
    ids = mixed_batch(article)
    assert sorted(decide(ids, run_on_commit).values()) == ["approved", "held", "rejected"]
    assert NotificationOutbox.objects.count() == 0
    assert sent["names"] == []


def test_an_active_webhook_endpoint_gets_each_change_it_chose_once(models, sent, run_on_commit):
    article = ArticleFactory()
    endpoint = WebhookEndpoint.objects.create(
        site=article.site,
        url="https://hooks.example/h",
        events=["comment.approved", "comment.rejected"],
    )
    ids = mixed_batch(article)
    decide(ids, run_on_commit)
    assert sent["names"] == ["comments_status_changed_task", *["webhook_deliver_task"] * 2]
    bodies = [json.loads(m.body) for m in WebhookMessage.objects.filter(endpoint=endpoint)]
    assert sorted((b["data"]["comment"]["id"], b["type"]) for b in bodies) == [
        (ids[0], "comment.approved"),
        (ids[2], "comment.rejected"),
    ]
    assert NotificationOutbox.objects.count() == 0


def test_moderators_get_one_email_per_held_comment_and_nothing_else_is_queued(
    models, sent, run_on_commit, moderators
):
    article = ArticleFactory()
    moderators(article.site)
    ids = mixed_batch(article)
    decide(ids, run_on_commit)
    assert list(HeldCommentNotice.objects.values_list("comment_id", flat=True)) == [ids[1]]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mod1@publisher.example",
        "mod2@publisher.example",
    ]
    assert sent["names"] == ["comments_status_changed_task", "held_notices_send_task"]


def test_a_held_change_on_a_site_with_held_emails_off_is_not_queued(
    models, sent, run_on_commit, moderators
):
    article = ArticleFactory()
    moderators(article.site, mode=SiteNotificationSettings.HeldEmails.OFF)
    decide(mixed_batch(article), run_on_commit)
    assert sent["names"] == []


def test_the_commenter_who_subscribed_gets_one_published_email(models, sent, run_on_commit):
    article = ArticleFactory()
    comment = CommentFactory(article=article, author_email="ana@example.org")
    subscribe(comment)
    decide([comment.pk, *mixed_batch(article)], run_on_commit)
    assert list(SubscriberEmail.objects.values_list("kind", "comment_id")) == [
        (Kind.PUBLISHED, comment.pk)
    ]
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert sent["names"] == ["comments_status_changed_task", "subscriber_email_task"]


def test_the_parents_subscribed_author_gets_one_reply_email(models, sent, run_on_commit):
    article = ArticleFactory()
    parent = CommentFactory(article=article, author_email="ana@example.org", status=Status.APPROVED)
    subscribe(parent)
    reply = CommentFactory(article=article, parent=parent, author_email="ben@example.org")
    decide([reply.pk], run_on_commit)
    assert list(SubscriberEmail.objects.values_list("kind", "comment_id")) == [
        (Kind.REPLY, reply.pk)
    ]
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_only_the_heard_changes_wait_in_the_outbox_through_an_outage_and_go_out_once(
    models, sent, run_on_commit
):
    article = ArticleFactory()
    WebhookEndpoint.objects.create(
        site=article.site, url="https://hooks.example/h", events=["comment.held"]
    )
    ids = mixed_batch(article)
    sent["down"] = True
    decide(ids, run_on_commit)
    (row,) = NotificationOutbox.objects.all()
    assert row.task == "comments_status_changed_task"
    assert [change[0] for change in row.args[0]] == [ids[1]]

    sent["down"] = False
    with run_on_commit():
        assert notify.outbox_send_due(older_than_seconds=0) == 1
        notify.outbox_send_due(older_than_seconds=0)  # nothing left to send again
    assert NotificationOutbox.objects.count() == 0
    assert list(WebhookMessage.objects.values_list("event", flat=True)) == ["comment.held"]
