"""A moderator works through held comments in real Chromium with the keyboard only."""

import importlib
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission

from moderation.models import Comment, ModerationEvent, SiteMembership
from tests.moderation.desk.conftest import held_comment
from tests.moderation.factories import ArticleFactory, SiteFactory, StaffFactory

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(settings.BASE_DIR) / "var" / "test-output"
Status = Comment.Status

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def chromium():
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing: apt-get install chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed: make install"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def moderators_group() -> Group:
    """The group migration 0002 makes; an earlier transactional test may have flushed it."""
    group, created = Group.objects.get_or_create(name="Moderators")
    if created:
        migration = importlib.import_module("moderation.migrations.0002_groups")
        group.permissions.set(
            Permission.objects.filter(
                content_type__app_label="moderation", codename__in=migration.MODERATOR_PERMISSIONS
            )
        )
    return group


@pytest.fixture
def allow_orm_beside_playwright(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def test_a_moderator_works_through_the_queue_with_the_keyboard(
    chromium, live_server, allow_orm_beside_playwright
):
    # A Moderators-group user scoped to one site; another site's held comment, which would top
    # an unscoped queue (the most harmful), must never reach this moderator's page.
    ours, theirs = SiteFactory(name="La Prensa"), SiteFactory(name="Other Paper")
    moderator = StaffFactory(username="mo")
    moderator.groups.add(moderators_group())
    SiteMembership.objects.create(user=moderator, site=ours)
    article = ArticleFactory(site=ours, title="El Salvador offers to house US prisoners for a fee")
    elsewhere = held_comment(
        article=ArticleFactory(site=theirs, title="Another paper's story"),
        spam_score=0.99,
        toxicity_score=0.99,
        body="Another site's comment, not for this moderator",
        explanation={},
    )
    hidden = f"#comment-{elsewhere.pk}"
    parent = held_comment(article=article, status=Status.APPROVED, body="Who inspects them?")
    angry = "You are an idiot and everybody here knows it"
    promo = "earn $500 a day from home, the secret is on my profile"
    rude = "This government is a disgrace and so are its stupid deals"

    def span(text: str, word: str, weight: float) -> dict:
        start = text.index(word)
        return {"feature": word, "weight": weight, "start": start, "end": start + len(word)}

    comments = [
        held_comment(
            article=article,
            spam_score=0.05,
            toxicity_score=0.93,
            body=angry,
            explanation={"toxicity": [span(angry, "idiot", 2.4)]},
            parent=parent,
            author_name="Rex",
        ),
        held_comment(
            article=article,
            spam_score=0.8,
            toxicity_score=0.05,
            body=promo,
            explanation={"spam": [span(promo, "profile", 1.9), span(promo, "earn", 1.3)]},
            author_name="Promo Bot",
            author_email="deals@promo.example",
            ip_address="198.51.100.23",
        ),
        held_comment(
            article=article,
            spam_score=0.45,
            toxicity_score=0.5,
            body=rude,
            explanation={
                "toxicity": [span(rude, "stupid", 1.1), span(rude, "disgrace", 0.7)],
                "spam": [span(rude, "deals", 0.4)],
            },
            author_name="Ana",
        ),
        held_comment(
            article=article,
            spam_score=0.3,
            toxicity_score=0.25,
            body="Who pays for the guards once the fee runs out?",
            explanation={},
            author_name="Ben",
        ),
    ]
    # Two link drops of the same sender, last in the queue: decided together with Shift+S.
    comments += [
        held_comment(
            article=article,
            spam_score=0.2,
            toxicity_score=0.05,
            body=f"Cheap flights to San Salvador, see my profile ({n})",
            explanation={},
            author_name="Promo Bot",
            author_email="deals@promo.example",
        )
        for n in (1, 2)
    ]
    first, second, third, fourth, fifth, sixth = comments
    OUTPUT.mkdir(parents=True, exist_ok=True)

    page = chromium.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/moderation/moderationqueue/")
    page.fill("#id_username", "mo")
    page.fill("#id_password", "pw")
    page.press("#id_password", "Enter")
    page.wait_for_selector(".desk-card.is-current")
    page.evaluate("window.deskLoadedOnce = true")  # gone if any decision reloaded the page
    assert page.evaluate("document.activeElement.id") == f"comment-{first.pk}"
    assert page.locator(hidden).count() == 0
    assert "Another site's comment" not in page.content()
    assert page.locator(f'[data-count-site="{theirs.pk}"]').count() == 0
    page.screenshot(path=str(OUTPUT / "desk-queue.png"), full_page=True)

    def press(key: str, comment: Comment, status: str) -> None:
        page.keyboard.press(key)
        page.wait_for_selector(f'#comment-{comment.pk}[data-status="{status}"]')

    def email_history(comment: Comment) -> str:
        return page.inner_text(f"#comment-{comment.pk} [data-history-email]")

    assert email_history(first) == "0 approved, 1 held, 0 rejected"
    press("r", first, "rejected")  # abuse
    # The card's author history follows the decision, in the same answer.
    assert email_history(first) == "0 approved, 0 held, 1 rejected"
    assert page.evaluate("document.activeElement.id") == f"comment-{second.pk}"
    press("s", second, "rejected")  # spam
    press("a", third, "approved")
    press("u", third, "held")  # undo puts it back and focuses it
    assert page.evaluate("document.activeElement.id") == f"comment-{third.pk}"
    page.keyboard.press("j")
    press("a", fourth, "approved")
    assert page.evaluate("document.activeElement.id") == f"comment-{fifth.pk}"
    page.keyboard.press("k")
    page.keyboard.press("k")
    page.keyboard.press("n")
    page.keyboard.type("Harsh but about the policy.")
    page.keyboard.press("Escape")
    press("a", third, "approved")
    assert page.evaluate("document.activeElement.id") == f"comment-{fifth.pk}"
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("Shift+S")
    page.wait_for_selector(f'#comment-{fifth.pk}[data-status="rejected"]')
    page.wait_for_selector(f'#comment-{sixth.pk}[data-status="rejected"]')
    # Every card of that sender follows, the one decided earlier too.
    assert email_history(second) == "0 approved, 0 held, 3 rejected"

    page.keyboard.press("?")
    page.wait_for_selector("#desk-help:not([hidden])")
    page.screenshot(path=str(OUTPUT / "desk-help.png"))
    page.keyboard.press("Escape")
    page.wait_for_selector("#desk-help", state="hidden")
    held_count = page.text_content('[data-count-site="all"][data-count-status="held"]')
    page.screenshot(path=str(OUTPUT / "desk-queue-decided.png"), full_page=True)
    assert page.evaluate("window.deskLoadedOnce") is True
    assert held_count.strip() == "0"  # the other site's held comment is not counted either
    assert page.locator(hidden).count() == 0
    # Every status, every page size, and the other site asked for by id: still not there.
    for query in ("status=all&per_page=100", f"status=all&site={theirs.pk}", "q=Another"):
        page.goto(f"{live_server.url}/admin/moderation/moderationqueue/?{query}")
        page.wait_for_selector("#desk-help", state="attached")
        assert page.locator(hidden).count() == 0
        assert "Another site's comment" not in page.content()

    statuses = dict(
        Comment.objects.filter(pk__in=[c.pk for c in comments]).values_list("pk", "status")
    )
    assert statuses == {
        first.pk: Status.REJECTED,
        second.pk: Status.REJECTED,
        third.pk: Status.APPROVED,
        fourth.pk: Status.APPROVED,
        fifth.pk: Status.REJECTED,
        sixth.pk: Status.REJECTED,
    }
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.HELD
    assert not ModerationEvent.objects.filter(comment=elsewhere, actor="moderator").exists()
    events = list(
        ModerationEvent.objects.filter(moderator=moderator).values_list(
            "comment_id", "to_status", "label", "reason"
        )
    )
    assert events == [
        (first.pk, "rejected", "abuse", "Rejected as abuse by a moderator."),
        (second.pk, "rejected", "spam", "Rejected as spam by a moderator."),
        (third.pk, "approved", "", "Approved by a moderator."),
        (third.pk, "held", "undo", "Undone by the moderator: back to held (was approved)."),
        (fourth.pk, "approved", "", "Approved by a moderator."),
        (third.pk, "approved", "", "Harsh but about the policy."),
        (fifth.pk, "rejected", "spam", "Rejected as spam by a moderator."),
        (sixth.pk, "rejected", "spam", "Rejected as spam by a moderator."),
    ]
    assert (OUTPUT / "desk-queue.png").stat().st_size > 10_000
