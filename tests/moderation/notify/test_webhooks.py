import json
import socket

import pytest
from django.conf import settings as settings_module

from moderation import services
from moderation.models import Comment
from moderation.notify import services as notify
from moderation.notify import tasks
from moderation.notify.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from tests.moderation.notify.conftest import verify

pytestmark = pytest.mark.django_db
Event = WebhookEndpoint.Event


@pytest.fixture
def loopback_allowed(settings, eager_retries):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.WEBHOOK_MAX_ATTEMPTS = 3


def submit(article, **fields):
    return services.comment_submit(
        article_id=article.pk,
        author_name="Ana",
        author_email="ana.private@example.org",
        body="Who inspects the prisons, and how often?",
        ip_address="198.51.100.23",
        **fields,
    )


def test_a_signed_delivery_answered_500_is_retried_and_then_delivered(
    article, moderator, loopback_allowed, receiver, run_on_commit, fake_scores
):
    fake_scores(spam=0.5, toxicity=0.0)  # between the thresholds: held
    with receiver(500) as hook:
        endpoint = notify.webhook_endpoint_create(
            site=article.site, url=hook.url, events=[Event.HELD, Event.APPROVED]
        )
        with run_on_commit():
            comment, _ = submit(article)
        assert Comment.objects.get(pk=comment.pk).status == Comment.Status.HELD

    # The receiver saw the same event twice: a 500, then the retry it accepted.
    assert len(hook.requests) == 2
    first, second = hook.requests
    assert first["headers"]["X-Webhook-Id"] == second["headers"]["X-Webhook-Id"]
    assert [first["headers"]["X-Webhook-Attempt"], second["headers"]["X-Webhook-Attempt"]] == [
        "1",
        "2",
    ]
    assert first["body"] == second["body"]
    payload = verify(endpoint.secret, second["headers"], second["body"])
    assert payload["type"] == "comment.held"
    assert second["headers"]["X-Webhook-Event"] == "comment.held"
    assert payload["id"] == second["headers"]["X-Webhook-Id"]
    assert payload["data"]["comment"]["id"] == comment.pk
    assert payload["data"]["comment"]["status"] == "held"
    assert payload["data"]["comment"]["previous_status"] == "pending"
    assert payload["data"]["article"]["external_id"] == article.external_id

    message = WebhookMessage.objects.get(endpoint=endpoint)
    attempts = list(message.deliveries.values_list("attempt", "status_code", "succeeded"))
    assert attempts == [(1, 500, False), (2, 200, True)]
    assert message.deliveries.get(attempt=1).error == "HTTP 500 Internal Server Error"
    assert message.delivered_at is not None
    # comment.created was not chosen, so only the held event was sent.
    assert WebhookMessage.objects.filter(endpoint=endpoint).count() == 1


def test_a_wrong_secret_does_not_verify(article, loopback_allowed, receiver, run_on_commit):
    with receiver() as hook:
        endpoint = notify.webhook_endpoint_create(
            site=article.site, url=hook.url, events=["comment.created"]
        )
        with run_on_commit():
            submit(article)
    (request,) = hook.requests
    verify(endpoint.secret, request["headers"], request["body"])
    with pytest.raises(AssertionError, match="signature"):
        verify(endpoint.secret + "x", request["headers"], request["body"])
    with pytest.raises(AssertionError, match="signature"):
        verify(endpoint.secret, request["headers"], request["body"].replace("Ana", "Eve"))


def test_webhooks_never_carry_the_commenter_email_or_ip(
    article, moderator, loopback_allowed, receiver, run_on_commit, fake_scores
):
    fake_scores(spam=0.5, toxicity=0.0)
    with receiver() as hook:
        notify.webhook_endpoint_create(site=article.site, url=hook.url, events=Event.values)
        with run_on_commit():
            comment, _ = submit(article, notify=True)
        with run_on_commit():
            services.comment_approve(comment_id=comment.pk, moderator=moderator)
        with run_on_commit():
            services.comment_reject(comment_id=comment.pk, moderator=moderator)
    events = [json.loads(r["body"])["type"] for r in hook.requests]
    assert sorted(events) == sorted(
        ["comment.created", "comment.held", "comment.approved", "comment.rejected"]
    )
    for request in hook.requests:
        raw = request["body"] + json.dumps(request["headers"])
        assert "ana.private@example.org" not in raw
        assert "198.51.100.23" not in raw
        assert "ana.private" not in raw


def test_an_email_bans_rejection_reaches_webhooks_and_the_log_without_the_address(
    article, moderator, loopback_allowed, receiver, run_on_commit, fake_scores
):
    from moderation.authors.services import author_ban

    fake_scores(spam=0.0, toxicity=0.0)
    author_ban(kind="email", value="ana.private@example.org", moderator=moderator)
    with receiver() as hook:
        notify.webhook_endpoint_create(site=article.site, url=hook.url, events=[Event.REJECTED])
        with run_on_commit():
            comment, _ = submit(article)
    (request,) = hook.requests
    reason = json.loads(request["body"])["data"]["comment"]["decision_reason"]
    assert reason.startswith("Rejected: the author is banned (email ban #")
    assert "ana.private" not in request["body"]
    assert "ana.private" not in comment.events.get().reason


def test_it_gives_up_after_the_last_attempt(article, loopback_allowed, receiver, run_on_commit):
    with receiver(500, 502, 503, 200) as hook:
        notify.webhook_endpoint_create(site=article.site, url=hook.url, events=["comment.created"])
        with run_on_commit():
            submit(article)
    assert len(hook.requests) == 3  # WEBHOOK_MAX_ATTEMPTS
    message = WebhookMessage.objects.get()
    assert message.gave_up_at is not None and message.delivered_at is None
    assert list(message.deliveries.values_list("status_code", flat=True)) == [500, 502, 503]


def test_running_the_delivery_task_again_after_success_sends_nothing(
    article, loopback_allowed, receiver, run_on_commit
):
    with receiver() as hook:
        notify.webhook_endpoint_create(site=article.site, url=hook.url, events=["comment.created"])
        with run_on_commit():
            submit(article)
        message = WebhookMessage.objects.get()
        tasks.webhook_deliver_task.apply(args=[message.pk])
    assert len(hook.requests) == 1
    assert WebhookDelivery.objects.count() == 1


def test_an_unreachable_receiver_is_logged_with_the_error(article, loopback_allowed):
    # A bound socket that does not listen: connecting to its port is refused.
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/nothing-listens"
        endpoint = notify.webhook_endpoint_create(
            site=article.site, url=url, events=["comment.created"]
        )
        comment, _ = submit(article)
        (message,) = notify.webhook_messages_create(
            comment=comment, event="comment.created", status="pending"
        )
        delivery = notify.webhook_message_deliver(message_id=message.pk)
    assert delivery.status_code is None
    assert "ConnectionRefusedError" in delivery.error
    assert delivery.attempt == 1 and not delivery.succeeded
    assert endpoint.messages.get().delivered_at is None


def test_backoff_doubles_up_to_the_cap(settings):
    settings.WEBHOOK_BACKOFF_SECONDS = 30
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    assert [tasks.backoff_seconds(n) for n in (1, 2, 3, 4, 8, 20)] == [30, 60, 120, 240, 3600, 3600]


def readme_verify_snippet() -> dict:
    readme = (settings_module.BASE_DIR / "README.md").read_text()
    section = readme.split("Verify a delivery before trusting it", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README's snippet, run to prove it works
    return namespace


def test_the_readme_verification_snippet_accepts_a_real_delivery_and_refuses_a_forgery(
    article, loopback_allowed, receiver, run_on_commit
):
    with receiver() as hook:
        endpoint = notify.webhook_endpoint_create(
            site=article.site, url=hook.url, events=["comment.created"]
        )
        with run_on_commit():
            comment, _ = submit(article)
    (request,) = hook.requests
    snippet = readme_verify_snippet()
    snippet["SECRET"] = endpoint.secret
    event = snippet["verify"](request["headers"], request["body"].encode())
    assert event["data"]["comment"]["id"] == comment.pk
    with pytest.raises(ValueError, match="bad signature"):
        snippet["verify"](request["headers"], request["body"].replace("Ana", "Eve").encode())


def test_running_the_status_change_dispatch_twice_sends_each_event_once(
    article, loopback_allowed, receiver, run_on_commit, fake_scores, moderators
):
    from django.core import mail

    from moderation.models import ModerationEvent

    moderators(article.site)
    fake_scores(spam=0.5, toxicity=0.0)
    with receiver() as hook:
        notify.webhook_endpoint_create(site=article.site, url=hook.url, events=[Event.HELD])
        with run_on_commit():
            comment, _ = submit(article)
        event = ModerationEvent.objects.get(comment=comment)
        with run_on_commit():  # as a worker would if the broker delivered the task again
            tasks.comment_status_changed_task.delay(comment.pk, "pending", "held", event.pk)
    assert len(hook.requests) == 1
    assert WebhookMessage.objects.count() == 1
    assert len(mail.outbox) == 2  # one per moderator, not two each
