"""House rules on the site's admin page: a site manager edits their own sites' only."""

import pytest

from moderation.rules.models import SiteRules
from tests.moderation.admin_forms import site_change_form
from tests.moderation.factories import SiteFactory, group_member

pytestmark = pytest.mark.django_db

RULES = {
    "severe_phrases": "on",
    "starter_words": "on",
    "banned_words": "casino*",
    "suspect_words": "",
    "max_links": "1",
    "allowed_domains": "",
    "blocked_domains": "spam.example",
    "markup": "on",
    "newcomers": "link",
    "known_after": "2",
    "min_length": "0",
    "max_length": "0",
    "close_after_days": "14",
    "flood_per_minute": "3",
    "duplicate_minutes": "60",
    "campaign_authors": "3",
    "campaign_hours": "24",
    "honeypot": "on",
    "author_fields": "on",
}


@pytest.fixture
def sites():
    return SiteFactory(name="Our Paper"), SiteFactory(name="Rival Gazette")


@pytest.fixture
def manager(client, sites):
    client.force_login(group_member("Site managers", sites=[sites[0]]))
    return client


def test_a_site_manager_sets_their_sites_house_rules(manager, sites):
    ours, _ = sites
    page = manager.get(f"/admin/moderation/site/{ours.pk}/change/")
    assert b"House rules" in page.content and b"banned_words" in page.content
    response = manager.post(
        f"/admin/moderation/site/{ours.pk}/change/", site_change_form(ours, house_rules=[RULES])
    )
    assert response.status_code == 302
    rules = SiteRules.objects.get(site=ours)
    assert (rules.banned_words, rules.max_links, rules.newcomers) == ("casino*", 1, "link")
    assert (rules.close_after_days, rules.flood_per_minute) == (14, 3)


def test_a_site_manager_cannot_set_another_sites_rules(manager, sites):
    _, theirs = sites
    manager.post(
        f"/admin/moderation/site/{theirs.pk}/change/", site_change_form(theirs, house_rules=[RULES])
    )
    assert not SiteRules.objects.filter(site=theirs).exists()
