"""Trust and bans in the admin, as a member of the Moderators group uses them."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from moderation.authors.models import AuthorAction, AuthorBan, AuthorTrust
from moderation.authors.services import author_ban, author_trust
from moderation.models import Comment
from tests.moderation.factories import CommentFactory, SiteFactory, group_member

pytestmark = pytest.mark.django_db
Status = Comment.Status
BANS = "/admin/moderation/authorban/"
TRUSTS = "/admin/moderation/authortrust/"


@pytest.fixture
def mod():
    return group_member("Moderators", username="mod")


@pytest.fixture
def browser(mod):
    client = Client()
    client.force_login(mod)
    return client


def test_the_moderators_group_reviews_comments_and_manages_authors_and_nothing_else():
    granted = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )
    assert granted == {
        "moderate_comment",
        "view_comment",
        "view_moderationevent",
        "view_article",
        "view_site",
        "view_authortrust",
        "add_authortrust",
        "change_authortrust",
        "view_authorban",
        "add_authorban",
        "change_authorban",
        "view_authoraction",
        # The dashboard, shadow trials and threshold changes of their sites (issue 21).
        "view_dashboard",
        "view_shadowscore",
        "view_thresholdchange",
    }


def test_the_site_managers_group_manages_site_settings_and_keys_only():
    granted = set(
        Group.objects.get(name="Site managers").permissions.values_list("codename", flat=True)
    )
    per_site_settings = {
        f"{verb}_{model}"
        for model in ("sitethreshold", "siteorigin", "webhookendpoint")
        for verb in ("view", "add", "change", "delete")
    }
    assert granted == {
        "view_site",
        "change_site",
        "view_apikey",
        "add_apikey",
        "change_apikey",
        "view_sitenotificationsettings",
        "add_sitenotificationsettings",
        "change_sitenotificationsettings",
        "view_webhookmessage",
        "view_webhookdelivery",
        "view_siterules",
        "add_siterules",
        "change_siterules",
        *per_site_settings,
        # The dashboard, model versions, shadow trials, thresholds from a target (issue 21).
        "view_dashboard",
        "view_modelversion",
        "view_shadowscore",
        "view_thresholdchange",
        "add_thresholdchange",
        # Their authors' data requests (privacy): export and erase on their own sites.
        "view_privacyrequest",
        "export_author",
        "erase_author",
    }
    assert not Permission.objects.filter(
        group__name="Site managers", codename__in=["moderate_comment", "view_comment"]
    ).exists()


def test_a_moderator_cannot_reach_users_groups_or_site_settings(browser):
    for url in ("/admin/auth/user/", "/admin/auth/group/", "/admin/moderation/apikey/"):
        assert browser.get(url).status_code == 403
    site = SiteFactory()
    browser.post(
        f"/admin/moderation/site/{site.pk}/change/",
        {"name": "Renamed", "domain": site.domain},
    )
    site.refresh_from_db()
    assert site.name != "Renamed"


def test_trusting_an_author_in_the_admin_writes_the_log(browser, mod):
    response = browser.post(
        f"{TRUSTS}add/", {"email": "Ana@Example.org", "note": "regular"}, follow=True
    )
    assert response.status_code == 200
    trust = AuthorTrust.objects.get()
    assert (trust.email, trust.created_by, trust.is_active) == ("ana@example.org", mod, True)
    assert AuthorAction.objects.get().action == "trust"
    listing = browser.get(TRUSTS)
    assert b"ana@example.org" in listing.content


def test_untrusting_in_the_admin_keeps_the_row_and_logs_it(browser, mod):
    trust = author_trust(email="ana@example.org", moderator=mod)
    browser.post(TRUSTS, {"action": "untrust_selected", "_selected_action": [trust.pk]})
    trust.refresh_from_db()
    assert not trust.is_active and trust.withdrawn_by == mod
    assert [a.action for a in AuthorAction.objects.order_by("id")] == ["trust", "untrust"]


def test_a_bad_email_is_refused_on_the_form(browser):
    response = browser.post(f"{TRUSTS}add/", {"email": "not-an-email"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not AuthorTrust.objects.exists()


def test_banning_a_network_in_the_admin_with_reject_all(browser, mod):
    from moderation.authors.hashing import comment_ip_hashes

    address_hash, network_hash = comment_ip_hashes("2001:db8:1:2::77")
    held = CommentFactory(
        status=Status.HELD,
        ip_address="2001:db8:1:2::77",
        ip_hash=address_hash,
        ip_network_hash=network_hash,
    )
    response = browser.post(
        f"{BANS}add/",
        {
            "kind": "network",
            "value": "2001:db8:1:2::/64",
            "note": "bot farm",
            "reject_existing": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert b"Rejected 1 existing comment" in response.content
    ban = AuthorBan.objects.get()
    assert (ban.kind, ban.created_by, ban.display) == ("network", mod, "IPv6 /64 network (hashed)")
    held.refresh_from_db()
    assert held.status == Status.REJECTED
    assert held.events.get().moderator == mod
    # Only hashes are stored, yet typing an address in the network finds the ban.
    found = browser.get(BANS, {"q": "2001:db8:1:2::1"})
    assert f"/authorban/{ban.pk}/".encode() in found.content
    missed = browser.get(BANS, {"q": "2001:db8:1:3::1"})
    assert f"/authorban/{ban.pk}/".encode() not in missed.content


def test_a_network_of_the_wrong_size_is_refused_on_the_form_naming_the_value(browser):
    response = browser.post(f"{BANS}add/", {"kind": "network", "value": "10.0.0.0/8"})
    assert response.status_code == 200
    assert b"/24" in response.content and b"errorlist" in response.content
    assert not AuthorBan.objects.exists()


def test_lifting_a_ban_in_the_admin_keeps_it_on_record(browser, mod):
    ban, _ = author_ban(kind="email", value="troll@example.org", moderator=mod)
    browser.post(BANS, {"action": "lift_selected", "_selected_action": [ban.pk]})
    ban.refresh_from_db()
    assert not ban.is_active and ban.withdrawn_by == mod
    log = browser.get("/admin/moderation/authoraction/")
    assert b"Ban lifted" in log.content and b"Banned" in log.content


def test_bans_and_trusts_are_never_edited_or_deleted_in_place(browser, mod):
    ban, _ = author_ban(kind="email", value="troll@example.org", moderator=mod)
    page = browser.get(f"{BANS}{ban.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert browser.post(f"{BANS}{ban.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuthorBan.objects.filter(pk=ban.pk).exists()


def test_a_scoped_moderator_must_ban_on_one_of_their_sites(client):
    ours, theirs = SiteFactory(), SiteFactory(name="Rival Gazette")
    client.force_login(group_member("Moderators", sites=[ours]))
    form = client.get(f"{BANS}add/")
    assert b"Rival Gazette" not in form.content
    for site in ("", theirs.pk):
        refused = client.post(
            f"{BANS}add/", {"kind": "email", "value": "x@example.org", "site": site}
        )
        assert refused.status_code == 200 and b"errorlist" in refused.content
    assert not AuthorBan.objects.exists()
    client.post(f"{BANS}add/", {"kind": "email", "value": "x@example.org", "site": ours.pk})
    assert AuthorBan.objects.get().site == ours


def test_a_scoped_moderator_does_not_see_another_sites_bans(client, mod):
    ours, theirs = SiteFactory(), SiteFactory()
    author_ban(kind="email", value="ours@example.org", moderator=mod, site=ours)
    author_ban(kind="email", value="theirs@example.org", moderator=mod, site=theirs)
    client.force_login(group_member("Moderators", sites=[ours]))
    listing = client.get(BANS)
    assert b"ours@example.org" in listing.content
    assert b"theirs@example.org" not in listing.content
    log = client.get("/admin/moderation/authoraction/")
    assert b"theirs@example.org" not in log.content


def test_the_ban_form_can_be_prefilled_from_a_link(browser):
    """The queue links to /authorban/add/?kind=email&value=… to ban a comment's author."""
    page = browser.get(f"{BANS}add/", {"kind": "email", "value": "troll@example.org"})
    assert page.status_code == 200
    assert b'value="troll@example.org"' in page.content
