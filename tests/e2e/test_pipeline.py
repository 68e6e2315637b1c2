"""A comment's whole trip: HTTP API, database, Redis, a real Celery worker, models, policy."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

import pytest

from moderation.models import Article, Comment, ModerationEvent, Site

# Waits, not timed assertions: the first task also waits for the worker to load its models.
DECISION_TIMEOUT_SECONDS = 90

CLEAN = "Good reporting. My concern is oversight: who inspects the prisons, and how often?"
SPAM = (
    "Check out my channel http://best-deals-4u.example/win subscribe!! free iPhone giveaway "
    "click here http://best-deals-4u.example/free-iphone click here now!!! FREE $$$"
)
ABUSIVE = (
    "You are a worthless, brain-dead idiot and a disgusting piece of garbage. "
    "Shut your stupid mouth, you pathetic moron, nobody wants you here."
)


def _request(method: str, url: str, payload: dict[str, Any] | None = None) -> tuple[int, dict]:
    data = json.dumps(payload).encode() if payload is not None else None
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
        url, data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, json.loads(response.read())


def _wait_until_decided(status_urls: dict[str, str]) -> dict[str, str]:
    """Each comment's status once none is pending any more, or as they stand at the deadline."""
    deadline = time.monotonic() + DECISION_TIMEOUT_SECONDS
    while True:
        statuses = {kind: _request("GET", url)[1]["status"] for kind, url in status_urls.items()}
        if Comment.Status.PENDING not in statuses.values() or time.monotonic() > deadline:
            return statuses
        time.sleep(0.25)


@pytest.mark.e2e
@pytest.mark.slow
def test_a_real_worker_approves_clean_rejects_spam_and_stops_abuse(
    live_server, transactional_db, celery_worker_process, celery_producer
):
    site = Site.objects.create(name="The Daily Ledger", domain="ledger.example")
    article = Article.objects.create(
        site=site,
        title="El Salvador offers to house US prisoners — for a fee",
        url="https://ledger.example/world/el-salvador-prisoners",
    )
    comments_url = f"{live_server.url}/api/v1/articles/{article.pk}/comments/"

    submitted = {}
    for kind, body in {"clean": CLEAN, "spam": SPAM, "abusive": ABUSIVE}.items():
        status, answer = _request(
            "POST",
            comments_url,
            {"author_name": f"{kind} reader", "author_email": f"{kind}@example.com", "body": body},
        )
        assert status == 202
        assert answer["status"] == "pending"
        submitted[kind] = answer

    decided = _wait_until_decided(
        {
            kind: f"{live_server.url}/api/v1/comments/{answer['id']}/?token={answer['token']}"
            for kind, answer in submitted.items()
        }
    )

    assert decided["clean"] == "approved"
    assert decided["spam"] == "rejected"
    assert decided["abusive"] in {"held", "rejected"}
    for kind, answer in submitted.items():
        events = ModerationEvent.objects.filter(comment_id=answer["id"])
        assert [(e.from_status, e.to_status, e.actor) for e in events] == [
            ("pending", decided[kind], ModerationEvent.Actor.SYSTEM)
        ], kind
        comment = Comment.objects.get(pk=answer["id"])
        assert comment.model_versions, f"{kind}: the worker recorded no model versions"

    _, published = _request("GET", comments_url)
    assert [item["id"] for item in published["results"]] == [submitted["clean"]["id"]]
    assert published["count"] == 1
