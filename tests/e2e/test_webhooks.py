"""Webhooks from a real worker: the web process only queues, the worker signs and delivers."""

from __future__ import annotations

import json
import time

import pytest

from moderation.models import Article, Site
from moderation.notify.models import WebhookEndpoint
from tests.e2e.test_pipeline import CLEAN, _request
from tests.moderation.notify.conftest import Receiver, verify

DELIVERY_TIMEOUT_SECONDS = 90


@pytest.mark.e2e
@pytest.mark.slow
def test_a_real_worker_delivers_signed_webhooks_for_a_new_and_a_decided_comment(
    live_server, transactional_db, celery_worker_process, celery_producer
):
    site = Site.objects.create(name="The Daily Ledger", domain="ledger-hooks.example")
    article = Article.objects.create(
        site=site, title="Prisons for a fee", url="https://ledger-hooks.example/prisons"
    )
    with Receiver(statuses=[]) as hook:
        # Registered directly: this process does not allow loopback, only the worker does.
        endpoint = WebhookEndpoint.objects.create(
            site=site, url=hook.url, events=WebhookEndpoint.Event.values, secret="whsec_e2e"
        )
        status, submitted = _request(
            "POST",
            f"{live_server.url}/api/v1/articles/{article.pk}/comments/",
            {"author_name": "Ana", "author_email": "ana.private@example.org", "body": CLEAN},
        )
        assert status == 202
        deadline = time.monotonic() + DELIVERY_TIMEOUT_SECONDS
        while len(hook.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.25)

    events = {}
    for request in hook.requests:
        payload = verify(endpoint.secret, request["headers"], request["body"])
        assert "ana.private@example.org" not in request["body"]
        events[payload["type"]] = payload["data"]["comment"]
    assert set(events) >= {"comment.created"}, events
    decided = set(events) - {"comment.created"}
    assert len(decided) == 1, events
    assert all(comment["id"] == submitted["id"] for comment in events.values())
    assert json.loads(hook.requests[0]["body"])["data"]["article"]["id"] == article.pk
