"""The widget in a real browser: the publisher's page on one origin, the API on another."""

from __future__ import annotations

import json
import urllib.request

import pytest
from rest_framework.authtoken.models import Token

from moderation.embed.demo import demo_page_write
from moderation.embed.models import SiteOrigin
from moderation.models import Article, Comment, Site
from tests.browser import TEST_OUTPUT, static_server
from tests.moderation.factories import CommentFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The widget first polls after 2 s and backs off to 15 s; these are waits, not assertions of speed.
SHOWN_TIMEOUT_MS = 40_000


def _decide(live_server, token: str, comment_id: str, verb: str) -> None:
    request = urllib.request.Request(  # noqa: S310 - the live server's own http:// URL
        f"{live_server.url}/api/v1/moderation/comments/{comment_id}/{verb}/",
        data=json.dumps({"reason": f"{verb} in the browser test"}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200


def _fill(form, *, body: str, name: str = "Ana Reader", email: str = "ana@example.org") -> None:
    form.get_by_role("textbox", name="Comment").fill(body)
    form.get_by_role("textbox", name="Name").fill(name)
    form.get_by_role("textbox", name="Email").fill(email)


@pytest.fixture
def demo(live_server, transactional_db, tmp_path, celery_eager, fake_scores):
    """The demo page on a static server of its own, its origin allowed by the site."""
    # Every comment is held by the real policy (scores between the thresholds) for a moderator.
    fake_scores(spam=0.5, toxicity=0.5)
    site = Site.objects.create(name="The Daily Ledger", domain="ledger.example")
    article = Article.objects.create(
        site=site,
        external_id="el-salvador-prison-offer",
        title="El Salvador offers to house US prisoners — for a fee",
        url="https://ledger.example/world/el-salvador-prisoners",
    )
    moderator = StaffFactory(is_superuser=True)
    token = Token.objects.create(user=moderator).key
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
        yield {"url": f"{page_origin}/", "token": token, "directory": tmp_path, "site": site}


def test_a_reader_posts_replies_and_sees_each_comments_fate(browser, demo, live_server):
    from playwright.sync_api import expect

    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    author = browser.new_context(viewport={"width": 900, "height": 1200})
    page = author.new_page()
    page.goto(demo["url"])
    widget = page.locator("#comments")
    form = widget.locator("form")
    page.get_by_role("heading", name="No comments yet").wait_for()

    # Client-side validation: the errors sit at their fields and are announced.
    form.get_by_role("button", name="Post Comment").click()
    assert form.get_by_text("Please write a comment.").is_visible()
    assert form.get_by_role("textbox", name="Comment").get_attribute("aria-invalid") == "true"
    expect(widget.locator("[role=status]")).to_have_text("Please correct the 3 highlighted fields.")

    # A server error appears at the field it concerns (this address passes the widget's check).
    _fill(form, body="Who inspects these prisons?", email="ana@example..org")
    form.get_by_role("button", name="Post Comment").click()
    email_error = form.locator("#cm-author_email-error")
    email_error.wait_for()
    assert "valid email" in email_error.inner_text()

    # A comment, with markup-looking text and two lines, posted and awaiting moderation.
    _fill(form, body="Who inspects these prisons?\nAnd <b>how often</b>?", name="Ana <i>R.</i>")
    form.get_by_role("textbox", name="Website").fill("ana.example.org")
    form.get_by_role("checkbox", name="Save my name").check()
    form.get_by_role("button", name="Post Comment").click()
    mine = widget.locator("li[data-own]")
    mine.get_by_text("Your comment is awaiting moderation.").wait_for()
    comment_id = mine.get_attribute("data-own")
    assert (
        mine.locator(".body").inner_text() == "Who inspects these prisons?\nAnd <b>how often</b>?"
    )
    assert mine.locator("b").count() == 0 and mine.locator("i").count() == 0

    # Approved by a moderator: the widget's next look shows it as any other comment.
    _decide(live_server, demo["token"], comment_id, "approve")
    shown = widget.locator(f'li[data-id="{comment_id}"]')
    shown.wait_for(timeout=SHOWN_TIMEOUT_MS)
    link = shown.get_by_role("link", name="Ana <i>R.</i>")
    assert link.get_attribute("rel") == "nofollow ugc noopener"
    assert link.get_attribute("href") == "https://ana.example.org"
    page.get_by_role("heading", name="1 Comment").wait_for()

    # A reply names its parent, can be cancelled, and lands nested under it.
    shown.get_by_role("button", name="Reply to Ana <i>R.</i>").click()
    page.get_by_role("heading", name="Leave a Reply to Ana <i>R.</i>").wait_for()
    assert form.get_by_role("textbox", name="Comment").evaluate(
        "el => el.getRootNode().activeElement === el"
    )
    form.get_by_role("button", name="Cancel reply").click()
    page.get_by_role("heading", name="Leave a Reply", exact=True).wait_for()
    shown.get_by_role("button", name="Reply to Ana <i>R.</i>").focus()
    page.keyboard.press("Enter")  # from the keyboard too
    assert form.get_by_role("textbox", name="Name").input_value() == "Ana <i>R.</i>"  # saved
    form.get_by_role("textbox", name="Comment").fill("Every six months, I read.")
    form.get_by_role("textbox", name="Name").fill("Ben")
    form.get_by_role("button", name="Post Comment").click()
    reply = shown.locator("ol.replies > li[data-own]")
    reply.get_by_text("Your comment is awaiting moderation.").wait_for()
    reply_id = reply.get_attribute("data-own")
    _decide(live_server, demo["token"], reply_id, "approve")
    shown.locator(f'ol.replies > li[data-id="{reply_id}"]').wait_for(timeout=SHOWN_TIMEOUT_MS)

    # Rejected: told politely, in place, to its author only.
    _fill(form, body="This one will not be published.", name="Ana")
    form.get_by_role("button", name="Post Comment").click()
    rejected = widget.locator("li[data-own]").last
    rejected.get_by_text("Your comment is awaiting moderation.").wait_for()
    rejected_id = rejected.get_attribute("data-own")
    _decide(live_server, demo["token"], rejected_id, "reject")
    widget.get_by_text("It was not published").wait_for(timeout=SHOWN_TIMEOUT_MS)
    assert widget.get_by_text("This one will not be published.").count() == 0

    page.screenshot(path=str(TEST_OUTPUT / "widget-thread.png"), full_page=True)
    form.screenshot(path=str(TEST_OUTPUT / "widget-form.png"))
    widget.screenshot(path=str(TEST_OUTPUT / "widget.png"))

    # Another reader sees the published thread and nothing of the rejected comment.
    other = browser.new_context().new_page()
    other.goto(demo["url"])
    other_widget = other.locator("#comments")
    other_widget.locator(f'li[data-id="{reply_id}"]').wait_for()
    other.get_by_role("heading", name="2 Comments").wait_for()
    assert other_widget.get_by_text("not published").count() == 0
    assert other_widget.get_by_text("awaiting moderation").count() == 0
    assert (
        other_widget.locator(f'[data-own="{rejected_id}"], [data-id="{rejected_id}"]').count() == 0
    )
    author.close()


def test_a_page_on_an_origin_the_site_does_not_list_gets_no_comments(browser, demo):
    with static_server(demo["directory"]) as foreign_origin:
        page = browser.new_page()
        page.goto(f"{foreign_origin}/")
        page.locator("#comments").get_by_text("The comments could not be loaded").wait_for()
        assert page.locator("#comments form").count() == 0


def test_load_more_and_newest_first(browser, demo):
    article = Article.objects.get(site=demo["site"])
    for n in range(23):
        CommentFactory(article=article, status=Comment.Status.APPROVED, body=f"Comment number {n}")
    page = browser.new_page()
    page.goto(demo["url"])
    widget = page.locator("#comments")
    page.get_by_role("heading", name="23 Comments").wait_for()
    bodies = widget.locator("ol.thread > li .body")
    assert bodies.count() == 20  # a page of threads
    widget.get_by_role("button", name="Load more comments").click()
    widget.get_by_text("Comment number 22").wait_for()
    assert bodies.count() == 23
    assert widget.get_by_role("button", name="Load more comments").is_hidden()
    widget.get_by_role("combobox", name="Sort").select_option("newest")
    page.wait_for_function(
        "() => document.querySelector('#comments').shadowRoot"
        ".querySelector('ol.thread > li .body').textContent === 'Comment number 22'"
    )


def test_the_form_says_in_words_why_a_comment_was_refused(browser, demo):
    from moderation.rules.models import SiteRules

    SiteRules.objects.create(site=demo["site"], flood_per_minute=3)
    page = browser.new_context().new_page()
    page.goto(demo["url"])
    form = page.locator("#comments form")
    page.get_by_role("heading", name="No comments yet").wait_for()
    # The honeypot is in the form for bots, out of sight and of the accessibility tree for people.
    trap = form.locator("input[name=homepage]")
    box = trap.bounding_box()
    assert trap.count() == 1 and box is not None and box["x"] + box["width"] <= 0
    assert form.get_by_role("textbox", name="Leave this empty").count() == 0

    def post(body: str) -> None:
        _fill(form, body=body)
        form.get_by_role("button", name="Post Comment").click()

    post("Who inspects these prisons?")
    page.locator("li[data-own]").first.get_by_text("awaiting moderation").wait_for()
    post("Who inspects these prisons?")
    form.get_by_text("You already posted this comment.").wait_for()
    post("And how often?")
    page.locator("li[data-own]").nth(1).wait_for()
    post("One more question.")
    too_fast = form.get_by_text("You are commenting too fast.")
    too_fast.wait_for()
    assert "seconds and try again" in too_fast.inner_text() or "a second" in too_fast.inner_text()
    Article.objects.filter(site=demo["site"]).update(comments_open=False)
    post("Last word.")
    form.get_by_text("Comments are closed on this article.").wait_for()


ARTICLE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Council approves the tram line — Riverside Gazette</title>
<link rel="icon" href="data:,">
<meta property="og:title" content="Council approves the tram line">
<link rel="canonical" href="{origin}/city/tram-line">
</head><body><h1>Council approves the tram line</h1>
<div id="comments"></div>
<script src="{api}/embed.js" data-site="{key}" data-article="{article}" {extra} async></script>
</body></html>
"""


@pytest.mark.parametrize(
    "extra, title",
    [
        ("", "Council approves the tram line"),  # og:title, not the whole <title>
        ('data-title="Tram line: the vote"', "Tram line: the vote"),
    ],
)
def test_an_unknown_article_is_created_without_an_error_in_the_console(
    browser, live_server, transactional_db, tmp_path, extra, title
):
    site = Site.objects.create(
        name="Riverside Gazette", domain="riverside.example", embed_auto_create_articles=True
    )
    with static_server(tmp_path) as page_origin:
        SiteOrigin.objects.create(site=site, origin=page_origin)
        (tmp_path / "index.html").write_text(
            ARTICLE_PAGE.format(
                origin=page_origin,
                api=live_server.url,
                key=site.public_key,
                article="tram-line",
                extra=extra,
            )
        )
        page = browser.new_page()
        errors = []  # console errors and failed responses
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on(
            "response",
            lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        page.goto(f"{page_origin}/")
        page.locator("#comments").get_by_role("heading", name="No comments yet").wait_for()
        page.close()
    article = Article.objects.get(site=site, external_id="tram-line")
    assert article.title == title
    assert article.url == f"{page_origin}/city/tram-line"
    assert errors == []
