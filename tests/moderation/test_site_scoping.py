"""A moderator scoped to some sites sees and decides only their comments, through every route."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from moderation import selectors, services
from moderation.errors import NotFoundError
from moderation.models import Comment, ModerationEvent
from tests.moderation.factories import (
    ArticleFactory,
    CommentFactory,
    SiteFactory,
    StaffFactory,
    group_member,
)

pytestmark = pytest.mark.django_db
Status = Comment.Status
API = "/api/v1/moderation/comments/"
ADMIN = "/admin/moderation/comment/"


@pytest.fixture
def ours():
    return SiteFactory(name="Our Paper", domain="ours.example.com")


@pytest.fixture
def theirs():
    return SiteFactory(name="Rival Gazette", domain="theirs.example.com")


@pytest.fixture
def scoped(ours):
    return group_member("Moderators", sites=[ours], username="scoped")


@pytest.fixture
def our_comment(ours):
    return CommentFactory(
        article=ArticleFactory(site=ours, title="Our story"), status=Status.HELD, body="ours-held"
    )


@pytest.fixture
def their_comment(theirs):
    return CommentFactory(
        article=ArticleFactory(site=theirs, title="Their story"),
        status=Status.HELD,
        body="theirs-held",
        author_email="secret-author@rival.example",
    )


def api_for(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


# --- the selectors ---------------------------------------------------------------------------
def test_a_scoped_moderator_sees_only_their_sites_and_their_comments(
    scoped, ours, our_comment, their_comment
):
    assert list(selectors.sites_visible_to(user=scoped)) == [ours]
    assert list(selectors.comments_visible_to(user=scoped)) == [our_comment]


def test_an_unscoped_moderator_and_a_superuser_see_every_site(our_comment, their_comment):
    unscoped = group_member("Moderators")
    boss = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    for user in (unscoped, boss):
        assert selectors.sites_visible_to(user=user).count() == 2
        assert selectors.comments_visible_to(user=user).count() == 2


def test_without_the_permission_nobody_sees_any_comment_or_site(our_comment, ours):
    staff = StaffFactory()
    assert not selectors.comments_visible_to(user=staff).exists()
    assert not selectors.sites_visible_to(user=staff).exists()
    # Membership alone (a site manager) shows the site, never its comments.
    manager = group_member("Site managers", sites=[ours])
    assert list(selectors.sites_visible_to(user=manager)) == [ours]
    assert not selectors.comments_visible_to(user=manager).exists()


def test_a_deactivated_scoped_moderator_sees_nothing(scoped, our_comment):
    scoped.is_active = False
    scoped.save()
    assert not selectors.comments_visible_to(user=scoped).exists()
    assert not selectors.sites_visible_to(user=scoped).exists()


# --- the moderator API -----------------------------------------------------------------------
def test_the_api_list_shows_a_scoped_moderator_only_their_sites_comments(
    scoped, our_comment, their_comment, theirs
):
    api = api_for(scoped)
    listed = api.get(API)
    assert [c["id"] for c in listed.json()["results"]] == [our_comment.pk]
    assert b"secret-author" not in listed.content
    # Asking for the other site by id finds nothing rather than its comments.
    assert api.get(API, {"site": theirs.pk}).json()["results"] == []


@pytest.mark.parametrize(
    "method, route",
    [("get", ""), ("post", "approve/"), ("post", "reject/"), ("post", "send-back/")],
)
def test_another_sites_comment_is_a_404_on_every_api_route(scoped, their_comment, method, route):
    if route == "send-back/":
        Comment.objects.filter(pk=their_comment.pk).update(status=Status.APPROVED)
    response = getattr(api_for(scoped), method)(f"{API}{their_comment.pk}/{route}")
    assert response.status_code == 404
    assert b"secret-author" not in response.content
    assert response.json()["error"]["code"] == "not_found"
    their_comment.refresh_from_db()
    assert their_comment.status in (Status.HELD, Status.APPROVED)
    assert not ModerationEvent.objects.filter(comment=their_comment).exists()


def test_a_scoped_moderator_decides_their_own_sites_comment(scoped, our_comment):
    response = api_for(scoped).post(f"{API}{our_comment.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_the_services_refuse_another_sites_comment_whoever_calls_them(scoped, their_comment):
    for decide in (services.comment_approve, services.comment_reject):
        with pytest.raises(NotFoundError):
            decide(comment_id=their_comment.pk, moderator=scoped)
    their_comment.refresh_from_db()
    assert their_comment.status == Status.HELD


# --- the admin -------------------------------------------------------------------------------
@pytest.fixture
def scoped_admin(client, scoped):
    client.force_login(scoped)
    return client


def test_the_admin_list_shows_only_their_sites_comments_and_site_names(
    scoped_admin, our_comment, their_comment
):
    page = scoped_admin.get(ADMIN)
    assert page.status_code == 200
    assert b"ours-held" in page.content
    assert b"theirs-held" not in page.content
    assert b"Rival Gazette" not in page.content  # not even in the site filter
    searched = scoped_admin.get(ADMIN, {"q": "secret-author"})
    assert b"theirs-held" not in searched.content


@pytest.mark.parametrize("page", ["change/", "history/"])
def test_another_sites_comment_page_does_not_exist_for_them(scoped_admin, their_comment, page):
    response = scoped_admin.get(f"{ADMIN}{their_comment.pk}/{page}", follow=True)
    assert b"theirs-held" not in response.content
    assert b"secret-author" not in response.content
    assert b"doesn\xe2\x80\x99t exist" in response.content


@pytest.mark.parametrize("action", ["approve_selected", "reject_selected", "send_back_selected"])
def test_admin_actions_leave_another_sites_comment_alone(
    scoped_admin, our_comment, their_comment, action
):
    Comment.objects.filter(pk=their_comment.pk).update(status=Status.REJECTED)
    scoped_admin.post(
        ADMIN, {"action": action, "_selected_action": [their_comment.pk]}, follow=True
    )
    their_comment.refresh_from_db()
    assert their_comment.status == Status.REJECTED
    assert not ModerationEvent.objects.filter(comment=their_comment).exists()


def test_admin_actions_decide_their_own_sites_comment(scoped_admin, our_comment, scoped):
    scoped_admin.post(
        ADMIN, {"action": "approve_selected", "_selected_action": [our_comment.pk]}, follow=True
    )
    our_comment.refresh_from_db()
    assert our_comment.status == Status.APPROVED
    assert our_comment.events.get().moderator == scoped


def test_the_event_log_article_and_site_lists_are_scoped_too(
    scoped_admin, scoped, our_comment, their_comment, theirs
):
    services.comment_approve(
        comment_id=their_comment.pk, moderator=group_member("Moderators"), reason="theirs-reason"
    )
    services.comment_approve(comment_id=our_comment.pk, moderator=scoped, reason="ours-reason")
    events = scoped_admin.get("/admin/moderation/moderationevent/")
    assert b"ours-held" in events.content and b"theirs-held" not in events.content
    their_event = ModerationEvent.objects.get(comment=their_comment)
    assert f"/moderationevent/{their_event.pk}/".encode() not in events.content
    gone = scoped_admin.get(
        f"/admin/moderation/moderationevent/{their_event.pk}/change/", follow=True
    )
    assert b"theirs-reason" not in gone.content
    articles = scoped_admin.get("/admin/moderation/article/")
    assert b"Our story" in articles.content and b"Their story" not in articles.content
    sites = scoped_admin.get("/admin/moderation/site/")
    assert b"Our Paper" in sites.content and b"Rival Gazette" not in sites.content
    other_site = scoped_admin.get(f"/admin/moderation/site/{theirs.pk}/change/", follow=True)
    assert b"theirs.example.com" not in other_site.content


# --- site managers ---------------------------------------------------------------------------
@pytest.fixture
def manager_admin(client, ours):
    client.force_login(group_member("Site managers", sites=[ours], username="manager"))
    return client


def _site_form(site, *, name, thresholds=(), origins=()):
    """The site change form as the admin posts it, with its thresholds and origins inlines."""
    data = {
        "name": name,
        "domain": site.domain,
        "thread_max_depth": site.thread_max_depth,
    }
    for prefix, rows in (("thresholds", thresholds), ("origins", origins)):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{field}": value for field, value in row.items()}
    return data


@pytest.mark.xfail(
    strict=True,
    reason="Site managers get the SiteThreshold/SiteOrigin permissions in main's migration 0010 "
    "(7a15605), which this branch has not merged yet; take main's version of this file on merge.",
)
def test_a_site_manager_changes_their_sites_thresholds_and_origins(manager_admin, ours):
    page = manager_admin.get(f"/admin/moderation/site/{ours.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' in page.content
    response = manager_admin.post(
        f"/admin/moderation/site/{ours.pk}/change/",
        _site_form(
            ours,
            name=ours.name,
            thresholds=[{"label": "spam", "publish_below": "0.2", "reject_above": "0.9"}],
            origins=[{"origin": "https://ours.example.com"}],
        ),
    )
    assert response.status_code == 302
    assert ours.threshold_overrides() == {"spam": {"publish": 0.2, "reject": 0.9}}
    assert list(ours.origins.values_list("origin", flat=True)) == ["https://ours.example.com"]


def test_a_site_manager_cannot_see_or_change_another_site(manager_admin, theirs):
    listing = manager_admin.get("/admin/moderation/site/")
    assert b"Rival Gazette" not in listing.content
    manager_admin.post(
        f"/admin/moderation/site/{theirs.pk}/change/",
        _site_form(
            theirs,
            name="Taken over",
            thresholds=[{"label": "spam", "publish_below": "0.9", "reject_above": ""}],
        ),
    )
    theirs.refresh_from_db()
    assert theirs.name == "Rival Gazette" and theirs.threshold_overrides() == {}
    assert manager_admin.get("/admin/moderation/site/add/").status_code == 403
    for page in ("siteorigin", "sitenotificationsettings", "webhookendpoint", "apikey"):
        assert b"Rival Gazette" not in manager_admin.get(f"/admin/moderation/{page}/").content


def test_a_site_manager_sees_no_comments(manager_admin, our_comment):
    assert manager_admin.get(ADMIN).status_code == 403
    assert manager_admin.get(f"{ADMIN}{our_comment.pk}/change/").status_code == 403


def test_a_site_manager_manages_only_their_sites_api_keys(manager_admin, ours, theirs):
    from moderation.keys.services import api_key_create

    their_key, _ = api_key_create(site=theirs, name="their-cms")
    form = manager_admin.get("/admin/moderation/apikey/add/")
    assert b"Rival Gazette" not in form.content and b"Our Paper" in form.content
    # Posting the other site's id is refused by the form: it is not among the choices.
    refused = manager_admin.post(
        "/admin/moderation/apikey/add/", {"site": theirs.pk, "name": "sneaky"}
    )
    assert refused.status_code == 200 and b"Select a valid choice" in refused.content
    created = manager_admin.post(
        "/admin/moderation/apikey/add/", {"site": ours.pk, "name": "our-cms"}, follow=True
    )
    assert created.status_code == 200
    listing = manager_admin.get("/admin/moderation/apikey/")
    assert b"our-cms" in listing.content and b"their-cms" not in listing.content
    manager_admin.post(
        "/admin/moderation/apikey/",
        {"action": "revoke_selected", "_selected_action": [their_key.pk]},
    )
    their_key.refresh_from_db()
    assert their_key.is_active


def test_nobody_but_a_superuser_changes_who_is_scoped_to_which_site(ours, scoped):
    from django.test import Client

    manager = group_member("Site managers", sites=[ours])
    for user in (manager, scoped):
        browser = Client()
        browser.force_login(user)
        assert browser.get("/admin/moderation/sitemembership/").status_code == 403
        assert browser.get("/admin/moderation/sitemembership/add/").status_code == 403
