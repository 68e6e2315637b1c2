"""No notification is lost with the broker: the outbox row commits with the change that calls
for it, and the sweeper queues it once the broker is back; each is still told once."""

import pytest
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from moderation import queue, services
from moderation.models import Comment
from moderation.notify import services as notify
from moderation.notify.models import (
    NotificationOutbox,
    SiteNotificationSettings,
    Subscriber,
    SubscriberEmail,
    WebhookEndpoint,
    WebhookMessage,
)
from project.settings import CELERY_BEAT_SCHEDULE

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def broker(monkeypatch):
    """The real (eager) queue, which can be taken down and brought back."""
    state = {"down": False}
    real_send = queue.task_send

    def send(name, *args):
        if state["down"]:
            raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        real_send(name, *args)

    monkeypatch.setattr(queue, "task_send", send)
    return state


def submit(article, **fields):
    fields.setdefault("body", "Who inspects the prisons, and how often?")
    comment, _ = services.comment_submit(
        article_id=article.pk, author_name="Ana", author_email="ana@example.org", **fields
    )
    return comment


def test_a_queued_notification_leaves_no_outbox_row(article, broker, run_on_commit, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    with run_on_commit():
        comment = submit(article)
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    assert NotificationOutbox.objects.count() == 0


def test_the_outbox_row_is_written_in_the_transaction_of_the_change(article, broker):
    broker["down"] = True
    comment = submit(article)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.comment_transition(
            comment=comment, to_status=Status.HELD, actor="system", reason="Test."
        )
        assert NotificationOutbox.objects.filter(task="comment_status_changed_task").exists()
        raise RuntimeError("the change rolls back")
    # The change rolled back, and its notification with it: nothing to tell.
    assert not NotificationOutbox.objects.filter(task="comment_status_changed_task").exists()


def test_held_emails_and_webhooks_survive_a_broker_outage_and_go_out_once(
    article, broker, run_on_commit, fake_scores, moderators, receiver, settings, eager_retries
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    moderators(article.site, mode=SiteNotificationSettings.HeldEmails.EACH)
    fake_scores(spam=0.5, toxicity=0.0)
    with receiver() as hook:
        WebhookEndpoint.objects.create(
            site=article.site,
            url=hook.url,
            events=[WebhookEndpoint.Event.CREATED, WebhookEndpoint.Event.HELD],
            secret=WebhookEndpoint.new_secret(),
        )
        broker["down"] = True
        with run_on_commit():
            comment = submit(article)
            # The sweeper's message reaches a worker once scoring can be queued; the notices
            # of the decision cannot be queued: the broker is still down.
            services.comment_score(comment_id=comment.pk)
        assert Comment.objects.get(pk=comment.pk).status == Status.HELD
        assert sorted(NotificationOutbox.objects.values_list("task", flat=True)) == [
            "comment_created_task",
            "comment_status_changed_task",
        ]
        assert mail.outbox == [] and hook.requests == []

        # Still down: the sweeper keeps the rows and counts the attempt.
        assert notify.outbox_send_due(older_than_seconds=0) == 0
        assert NotificationOutbox.objects.get(task="comment_created_task").attempts == 1

        broker["down"] = False
        with run_on_commit():
            assert notify.outbox_send_due(older_than_seconds=0) == 2
        assert NotificationOutbox.objects.count() == 0
        assert sorted(m.to[0] for m in mail.outbox) == [
            "mod1@publisher.example",
            "mod2@publisher.example",
        ]
        events = sorted(WebhookMessage.objects.values_list("event", flat=True))
        assert events == ["comment.created", "comment.held"]
        assert len(hook.requests) == 2

        # A copy sent again (say its row could not be deleted) tells nobody twice.
        with run_on_commit():
            notify.comment_created(comment_id=comment.pk)
            event = comment.events.get()
            notify.comment_status_changed(
                comment_id=comment.pk,
                from_status="pending",
                to_status="held",
                moderation_event_id=event.pk,
            )
        assert len(mail.outbox) == 2
        assert WebhookMessage.objects.count() == 2
        assert len(hook.requests) == 2


def test_a_commenters_email_queued_by_a_worker_during_an_outage_is_sent_once_later(
    article, broker, run_on_commit, fake_scores
):
    fake_scores(spam=0.0, toxicity=0.0)
    with run_on_commit():
        comment = submit(article, notify=True)  # the confirmation email goes out at once
    assert [m.subject for m in mail.outbox if "onfirm" in m.subject]
    Subscriber.objects.update(confirmed_at=comment.created_at)
    mail.outbox.clear()
    pending = submit(article, notify=True, body="And who pays for the inspections?")
    broker["down"] = True
    # The worker decides during the outage: its status task is in the outbox; once the broker is
    # back it runs and queues the commenter's email, which the broker takes.
    with run_on_commit():
        services.comment_score(comment_id=pending.pk)
    assert NotificationOutbox.objects.filter(task="comment_status_changed_task").count() == 1
    broker["down"] = False
    with run_on_commit():
        notify.outbox_send_due(older_than_seconds=0)
        notify.outbox_send_due(older_than_seconds=0)
    published = SubscriberEmail.objects.filter(comment=pending, kind=SubscriberEmail.Kind.PUBLISHED)
    assert published.count() == 1
    assert len([m for m in mail.outbox if m.to == ["ana@example.org"]]) == 1


def test_rows_younger_than_the_grace_are_left_to_their_own_sender(article, broker):
    broker["down"] = True
    submit(article, notify=True)  # its author asked for emails: comment.created has a listener
    broker["down"] = False
    assert notify.outbox_send_due(older_than_seconds=3600) == 0
    assert NotificationOutbox.objects.count() == 1


def test_the_beat_runs_the_outbox_sweeper():
    entry = CELERY_BEAT_SCHEDULE["send-notification-outbox"]
    assert entry["task"] == "moderation.notify.tasks.outbox_send_due_task"
