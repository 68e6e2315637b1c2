import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from moderation import services
from moderation.models import Comment
from moderation.notify import services as notify
from moderation.notify.models import SiteNotificationSettings, Subscriber, SubscriberEmail
from project.settings import CELERY_BEAT_SCHEDULE

pytestmark = pytest.mark.django_db
Status = Comment.Status
HeldEmails = SiteNotificationSettings.HeldEmails

AUTHOR_EMAIL = "ana.private@example.org"
AUTHOR_IP = "198.51.100.23"
REPLIER_EMAIL = "bruno.private@example.net"
REPLIER_IP = "203.0.113.99"


def submit(article, *, email=AUTHOR_EMAIL, ip=AUTHOR_IP, name="Ana", **fields):
    fields.setdefault("body", "Who inspects the prisons, and how often?")
    comment, _ = services.comment_submit(
        article_id=article.pk,
        author_name=name,
        author_email=email,
        ip_address=ip,
        **fields,
    )
    return comment


def link(message, kind: str) -> str:
    match = re.search(rf"http://\S+/notify/{kind}/\S+/", message.body)
    assert match, f"no {kind} link in:\n{message.body}"
    return match.group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def assert_private_data_absent(message, *values):
    text = message.subject + message.body + str(message.to) + str(message.extra_headers)
    for value in values:
        assert value not in text


# --- moderators ---------------------------------------------------------------------------------
def test_each_held_comment_emails_every_moderator_once_without_the_commenters_email_or_ip(
    article, moderators, run_on_commit, fake_scores
):
    moderators(article.site, mode=HeldEmails.EACH)
    fake_scores(spam=0.5, toxicity=0.0)
    with run_on_commit():
        comment = submit(article)
    assert Comment.objects.get(pk=comment.pk).status == Status.HELD
    assert sorted(m.to[0] for m in mail.outbox) == [
        "mod1@publisher.example",
        "mod2@publisher.example",
    ]
    for message in mail.outbox:
        assert "held for moderation" in message.subject
        assert comment.body in message.body
        assert f"/admin/moderation/comment/{comment.pk}/change/" in message.body
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert_private_data_absent(message, AUTHOR_EMAIL, AUTHOR_IP)
    # The beat sweep finds nothing left to send.
    assert notify.held_notices_send_due(now=timezone.now() + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 2


def test_the_digest_lists_held_comments_at_most_once_every_n_minutes(
    article, moderators, run_on_commit, fake_scores
):
    moderators(article.site, mode=HeldEmails.DIGEST, every=30)
    fake_scores(spam=0.5, toxicity=0.0)
    with run_on_commit():
        first = submit(article, body="First held comment.")
        second = submit(article, body="Second held comment.")
    assert mail.outbox == []  # digests wait for the beat task

    start = timezone.now()
    assert notify.held_notices_send_due(now=start) == 2
    assert len(mail.outbox) == 2  # one per moderator
    digest = mail.outbox[0]
    assert "2 comment(s) held" in digest.subject
    assert first.body in digest.body and second.body in digest.body
    assert_private_data_absent(digest, AUTHOR_EMAIL, AUTHOR_IP)

    # Running again sends nothing; a new held comment waits until 30 minutes have passed.
    assert notify.held_notices_send_due(now=start) == 0
    with run_on_commit():
        third = submit(article, body="Third held comment.")
    assert notify.held_notices_send_due(now=start + timedelta(minutes=29)) == 0
    assert len(mail.outbox) == 2
    assert notify.held_notices_send_due(now=start + timedelta(minutes=31)) == 1
    assert len(mail.outbox) == 4
    latest = mail.outbox[-1]
    assert third.body in latest.body and first.body not in latest.body


def test_a_comment_decided_before_the_digest_is_left_out(
    article, moderators, run_on_commit, fake_scores, moderator
):
    moderators(article.site, mode=HeldEmails.DIGEST)
    fake_scores(spam=0.5, toxicity=0.0)
    with run_on_commit():
        decided = submit(article, body="Approved before the digest.")
        waiting = submit(article, body="Still waiting.")
    with run_on_commit():
        services.comment_approve(comment_id=decided.pk, moderator=moderator)
    assert notify.held_notices_send_due() == 1
    assert waiting.body in mail.outbox[0].body
    assert decided.body not in mail.outbox[0].body


def test_no_moderator_addresses_means_no_held_emails(article, run_on_commit, fake_scores):
    SiteNotificationSettings.objects.create(site=article.site, moderator_emails="")
    fake_scores(spam=0.5, toxicity=0.0)
    with run_on_commit():
        submit(article)
    assert notify.held_notices_send_due() == 0
    assert mail.outbox == []


def test_beat_runs_the_digest_task_every_minute():
    from project import celery_app

    entry = CELERY_BEAT_SCHEDULE["send-held-comment-emails"]
    assert entry["schedule"] == 60
    assert entry["task"] in celery_app.tasks


def test_a_moderator_unsubscribes_with_one_click(article, moderators, run_on_commit, fake_scores):
    config = moderators(article.site, mode=HeldEmails.EACH)
    fake_scores(spam=0.5, toxicity=0.0)
    with run_on_commit():
        submit(article)
    message = next(m for m in mail.outbox if m.to == ["mod1@publisher.example"])
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    response = Client().post(path_of(url), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    config.refresh_from_db()
    assert config.moderator_addresses() == ["mod2@publisher.example"]


# --- commenters ---------------------------------------------------------------------------------
def test_asking_for_emails_sends_one_confirmation_and_nothing_before_it_is_confirmed(
    article, run_on_commit, fake_scores
):
    fake_scores(spam=0.0, toxicity=0.0)  # published at once
    with run_on_commit():
        comment = submit(article, notify=True)
    assert Comment.objects.get(pk=comment.pk).status == Status.APPROVED
    (confirmation,) = mail.outbox
    assert confirmation.to == [AUTHOR_EMAIL]
    assert "Confirm" in confirmation.subject
    assert link(confirmation, "confirm")
    assert (
        confirmation.extra_headers["List-Unsubscribe"] == f"<{link(confirmation, 'unsubscribe')}>"
    )
    assert confirmation.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # A second comment from the same address (say, someone typing a stranger's) mails nothing more.
    with run_on_commit():
        submit(article, notify=True, email=AUTHOR_EMAIL.upper(), body="Another one.")
    assert len(mail.outbox) == 1
    assert Subscriber.objects.get().confirmed_at is None


def test_confirming_then_publishing_sends_the_published_email(
    article, run_on_commit, fake_scores, moderator
):
    fake_scores(spam=0.5, toxicity=0.0)  # held
    with run_on_commit():
        comment = submit(article, notify=True)
    (confirmation,) = mail.outbox
    client = Client()
    confirm_path = path_of(link(confirmation, "confirm"))

    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b'<form method="post">' in page.content
    assert Subscriber.objects.get().confirmed_at is None  # GET changes nothing

    done = client.post(confirm_path)
    assert done.status_code == 200 and b"Done for" in done.content
    assert Subscriber.objects.get().confirmed_at is not None

    with run_on_commit():
        services.comment_approve(comment_id=comment.pk, moderator=moderator)
    published = mail.outbox[-1]
    assert published.to == [AUTHOR_EMAIL]
    assert "is published" in published.subject
    assert comment.body in published.body
    assert link(published, "unsubscribe")
    assert published.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Approved again after a rejection: no second email about the same comment.
    with run_on_commit():
        services.comment_reject(comment_id=comment.pk, moderator=moderator)
        services.comment_approve(comment_id=comment.pk, moderator=moderator)
    assert len(mail.outbox) == 2
    assert SubscriberEmail.objects.filter(kind="published").count() == 1


def confirmed_comment(article, run_on_commit):
    with run_on_commit():
        comment = submit(article, notify=True)
    Client().post(path_of(link(mail.outbox[-1], "confirm")))
    mail.outbox.clear()
    return comment


def test_a_published_reply_emails_the_confirmed_parent_author_without_the_repliers_details(
    article, run_on_commit, fake_scores
):
    fake_scores(spam=0.0, toxicity=0.0)
    parent = confirmed_comment(article, run_on_commit)
    with run_on_commit():
        reply = submit(
            article,
            parent_id=parent.pk,
            email=REPLIER_EMAIL,
            ip=REPLIER_IP,
            name="Bruno",
            body="The ombudsman publishes yearly reports.",
        )
    (message,) = mail.outbox
    assert message.to == [AUTHOR_EMAIL]
    assert "Bruno replied" in message.subject
    assert reply.body in message.body and parent.body in message.body
    assert_private_data_absent(message, REPLIER_EMAIL, REPLIER_IP, "bruno.private", AUTHOR_IP)


def test_replying_to_yourself_sends_no_reply_email(article, run_on_commit, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    parent = confirmed_comment(article, run_on_commit)
    with run_on_commit():
        submit(article, parent_id=parent.pk, body="Adding a source to my own comment.")
    assert [m.subject for m in mail.outbox if "replied" in m.subject] == []


def test_one_click_unsubscribe_stops_every_email(article, run_on_commit, fake_scores, moderator):
    fake_scores(spam=0.5, toxicity=0.0)  # held, so the publish email comes later
    parent = confirmed_comment(article, run_on_commit)
    with run_on_commit():
        services.comment_approve(comment_id=parent.pk, moderator=moderator)
    published = mail.outbox[-1]
    unsubscribe = path_of(published.extra_headers["List-Unsubscribe"].strip("<>"))

    # RFC 8058: the mail client POSTs this body with no cookie and no CSRF token.
    client = Client(enforce_csrf_checks=True)
    assert client.get(unsubscribe).status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is None
    response = client.post(
        unsubscribe, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert Subscriber.objects.get().unsubscribed_at is not None
    assert client.post(unsubscribe).status_code == 200  # twice is harmless

    mail.outbox.clear()
    with run_on_commit():
        reply = submit(article, parent_id=parent.pk, email=REPLIER_EMAIL, name="Bruno")
    with run_on_commit():
        services.comment_approve(comment_id=reply.pk, moderator=moderator)
    assert mail.outbox == []


def test_an_altered_or_expired_link_is_refused(article, run_on_commit, fake_scores, settings):
    fake_scores(spam=0.0, toxicity=0.0)
    with run_on_commit():
        submit(article, notify=True)
    confirm_path = path_of(link(mail.outbox[0], "confirm"))
    client = Client()
    altered = confirm_path[:-3] + ("A" if confirm_path[-3] != "A" else "B") + confirm_path[-2:]
    assert client.post(altered).status_code == 404
    settings.NOTIFY_CONFIRM_MAX_AGE_DAYS = 0  # every link is now too old
    expired = client.post(confirm_path)
    assert expired.status_code == 400 and b"expired" in expired.content
    assert Subscriber.objects.get().confirmed_at is None


def test_emails_are_sent_by_workers_not_in_the_request(article):
    response = APIClient().post(
        f"/api/v1/articles/{article.pk}/comments/",
        {"author_name": "Ana", "author_email": AUTHOR_EMAIL, "body": "Hi.", "notify": True},
        format="json",
    )
    assert response.status_code == 202
    assert mail.outbox == []  # the confirmation is queued for after the commit
    assert Comment.objects.get().subscription.subscriber.email == AUTHOR_EMAIL


def test_the_api_says_which_field_is_wrong_for_a_bad_notify_value(article):
    response = APIClient().post(
        f"/api/v1/articles/{article.pk}/comments/",
        {"author_name": "Ana", "author_email": AUTHOR_EMAIL, "body": "Hi.", "notify": "perhaps"},
        format="json",
    )
    assert response.status_code == 400
    assert "notify" in response.json()["error"]["fields"]


def test_without_notify_nobody_is_subscribed(article, run_on_commit, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    with run_on_commit():
        submit(article)
    assert not Subscriber.objects.exists()
    assert mail.outbox == []


def test_a_broker_outage_costs_the_notification_not_the_comment(
    article, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from moderation import queue
    from moderation.notify import tasks

    def broker_down(*args):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.comment_created_task, "delay", broker_down)
    monkeypatch.setattr(queue, "comment_score_enqueue", lambda comment_id: None)
    with django_capture_on_commit_callbacks(execute=True):
        comment = submit(article, notify=True)
    assert Comment.objects.filter(pk=comment.pk, status=Status.PENDING).exists()


def test_a_line_break_in_a_repliers_name_cannot_inject_headers(article, run_on_commit, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    parent = confirmed_comment(article, run_on_commit)
    with run_on_commit():
        submit(
            article, parent_id=parent.pk, email=REPLIER_EMAIL, name="Eve\nBcc: victim@example.com"
        )
    (message,) = mail.outbox
    assert message.subject.startswith("Eve Bcc: victim@example.com replied")
    assert message.bcc == []
    assert "victim@example.com" not in str(message.message()["Bcc"])
