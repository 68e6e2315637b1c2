"""The widget with the real pipeline: a browser posts, a real Celery worker scores and decides."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from moderation.embed.demo import demo_page_write
from moderation.embed.models import SiteOrigin
from moderation.models import Article, Comment, ModerationEvent, Site
from tests.browser import TEST_OUTPUT, static_server
from tests.e2e.test_pipeline import ABUSIVE, CLEAN, DECISION_TIMEOUT_SECONDS
from tests.moderation.factories import StaffFactory

# The worker loads its models on the first task, then the widget's next poll shows the decision.
SHOWN_TIMEOUT_MS = (DECISION_TIMEOUT_SECONDS + 30) * 1000


def _status_once_decided(comment_id: int) -> str:
    """A wait, not a timed assertion: the comment's status once the worker has decided it."""
    deadline = time.monotonic() + DECISION_TIMEOUT_SECONDS
    while True:
        status = Comment.objects.get(pk=comment_id).status
        if status != Comment.Status.PENDING or time.monotonic() > deadline:
            return status
        time.sleep(0.25)


def _approve(live_server, token: str, comment_id: int) -> None:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
        f"{live_server.url}/api/v1/moderation/comments/{comment_id}/approve/",
        data=json.dumps({"reason": "Fair, if sharp."}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200


def _post(form, body: str, name: str) -> None:
    form.get_by_role("textbox", name="Comment").fill(body)
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Email").fill(f"{name.lower()}@example.org")
    form.get_by_role("button", name="Post Comment").click()


@pytest.mark.e2e
@pytest.mark.browser
@pytest.mark.slow
def test_the_widget_shows_what_the_real_worker_decides(
    browser, live_server, transactional_db, celery_worker_process, celery_producer, tmp_path
):
    site = Site.objects.create(name="The Daily Ledger", domain="ledger.example")
    article = Article.objects.create(
        site=site,
        external_id="el-salvador-prison-offer",
        title="El Salvador offers to house US prisoners — for a fee",
        url="https://ledger.example/world/el-salvador-prisoners",
    )
    token = Token.objects.create(user=StaffFactory(is_superuser=True)).key
    with static_server(tmp_path) as page_origin:
        SiteOrigin.objects.create(site=site, origin=page_origin)
        demo_page_write(
            tmp_path,
            api_base=live_server.url,
            page_origin=page_origin,
            public_key=site.public_key,
            external_id=article.external_id,
            title=article.title,
            url=article.url,
        )
        page = browser.new_page()
        page.goto(f"{page_origin}/")
        widget = page.locator("#comments")
        form = widget.locator("form")

        _post(form, CLEAN, "Ana")
        clean = widget.locator("li[data-own]")
        clean.get_by_text("Your comment is awaiting moderation.").wait_for()
        clean_id = int(clean.get_attribute("data-own"))
        assert _status_once_decided(clean_id) == Comment.Status.APPROVED
        widget.locator(f'li[data-id="{clean_id}"]').wait_for(timeout=SHOWN_TIMEOUT_MS)
        assert ModerationEvent.objects.get(comment_id=clean_id).actor == "system"

        _post(form, ABUSIVE, "Troll")
        abusive = widget.locator("li[data-own]")
        abusive.get_by_text("Your comment is awaiting moderation.").wait_for()
        abusive_id = int(abusive.get_attribute("data-own"))
        decided = _status_once_decided(abusive_id)
        assert decided in {Comment.Status.HELD, Comment.Status.REJECTED}
        if decided == Comment.Status.REJECTED:
            widget.get_by_text("It was not published").wait_for(timeout=SHOWN_TIMEOUT_MS)
        else:
            # Held stays "awaiting moderation" until a moderator publishes it.
            assert abusive.get_by_text("awaiting moderation").is_visible()
            _approve(live_server, token, abusive_id)
            widget.locator(f'li[data-id="{abusive_id}"]').wait_for(timeout=SHOWN_TIMEOUT_MS)
        TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
        widget.screenshot(path=str(TEST_OUTPUT / "widget-real-worker.png"))
