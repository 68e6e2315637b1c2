"""The dashboard in real Chromium: a scoped moderator logs in, sees their site's charts only."""

import pytest
from django.contrib.auth.models import Permission

from moderation import services
from moderation.models import SiteMembership
from tests.browser import TEST_OUTPUT
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_moderator_opens_the_dashboard_from_the_admin_index(browser, live_server, label_history):
    ours, theirs = SiteFactory(name="La Prensa"), SiteFactory(name="Other Paper")
    label_history(ours, n=300, days=25)
    label_history(theirs, n=20)
    article = ArticleFactory(site=ours)
    for i in range(6):  # still waiting for a moderator
        services.comment_transition(
            comment=CommentFactory(article=article, body=f"Held {i}"),
            to_status="held",
            actor="system",
            reason="Held.",
            fields={"toxicity_score": 0.5, "scores": {"toxicity": 0.5, "spam": 0.1}},
        )
    user = StaffFactory(username="dash")
    user.user_permissions.add(
        Permission.objects.get(codename="view_dashboard", content_type__app_label="moderation")
    )
    SiteMembership.objects.create(user=user, site=ours)

    page = browser.new_page(viewport={"width": 1400, "height": 1400})
    failed = []
    page.on(
        "response",
        lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", "dash")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.click("text=Dashboard")
    page.wait_for_selector("svg.chart")
    assert page.url.endswith("/admin/moderation/dashboard/")
    options = page.locator("select[name=site] option").all_inner_texts()
    assert options == [f"La Prensa ({ours.domain})"]
    assert page.locator("svg.chart").count() >= 7
    # Bars were drawn for the comments per day (one rect per day and outcome present).
    assert page.locator("svg.chart").first.locator("rect.s-published").count() > 10
    page.select_option("select[name=days]", "7")
    page.click("text=Show")
    page.wait_for_selector("svg.chart")
    assert "days=7" in page.url
    page.select_option("select[name=days]", "30")
    page.click("text=Show")
    page.wait_for_selector("svg.chart")
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = TEST_OUTPUT / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert failed == []  # the stylesheet came from static files (no CDN), and loaded
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.chart-grid')).display") == "grid"
    )
    page.close()
