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


def test_the_admin_shows_the_rules_that_fired_and_a_campaigns_members_together(client, fake_scores):
    from moderation import services
    from moderation.models import Comment
    from tests.moderation.factories import ArticleFactory, CommentFactory, ModeratorFactory

    fake_scores(spam=0.01, toxicity=0.01)
    article = ArticleFactory()
    text = "The mayor lied about the tram budget, sign the petition at the town hall today!"
    members = []
    for n in range(3):
        comment = CommentFactory.create(
            article=article, body=text + "!" * n, author_email=f"{n}@example.org"
        )
        services.comment_score(comment_id=comment.pk)
        members.append(comment)
    bystander = CommentFactory.create(article=article, body="Unrelated and fine.")
    client.force_login(ModeratorFactory(is_superuser=True))
    page = client.get(f"/admin/moderation/comment/{members[2].pk}/change/").content.decode()
    assert "Rules that fired" in page and "?rule=campaign" in page
    assert f"campaign #{members[0].pk}" in page and "all 3 members" in page
    listing = client.get("/admin/moderation/comment/", {"campaign": members[0].pk})
    shown = {c.pk for c in listing.context["cl"].result_list}
    assert shown == {c.pk for c in members} and bystander.pk not in shown
    held = client.get("/admin/moderation/comment/", {"rule": "campaign"})
    assert {c.pk for c in held.context["cl"].result_list} == {members[2].pk}
    assert Comment.objects.get(pk=members[2].pk).status == Comment.Status.HELD
