import pytest
from django.contrib.auth import get_user_model

from moderation import services
from moderation.models import Comment, ModerationEvent
from tests.moderation.admin_forms import site_change_form
from tests.moderation.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    client.user = user
    return client


def test_the_review_queue_filters_by_status(admin_client):
    CommentFactory(status=Status.HELD, body="needs a look")
    CommentFactory(status=Status.APPROVED, body="already published")
    page = admin_client.get("/admin/moderation/comment/", {"status__exact": "held"})
    assert page.status_code == 200
    assert b"needs a look" in page.content
    assert b"already published" not in page.content


@pytest.mark.parametrize(
    "action, expected",
    [
        ("approve_selected", Status.APPROVED),
        ("reject_selected", Status.REJECTED),
        ("send_back_selected", Status.HELD),
    ],
)
def test_admin_actions_go_through_the_service_and_write_events(admin_client, action, expected):
    start = Status.APPROVED if expected == Status.HELD else Status.HELD
    held = CommentFactory(status=start)
    already = CommentFactory(status=expected)
    response = admin_client.post(
        "/admin/moderation/comment/",
        {"action": action, "_selected_action": [held.pk, already.pk]},
        follow=True,
    )
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == expected
    event = held.events.get()
    assert event.moderator == admin_client.user
    assert already.events.count() == 0
    assert b"Left 1 unchanged" in response.content


def test_the_comment_page_shows_what_pushed_the_scores_up(admin_client):
    comment = CommentFactory(
        status=Status.REJECTED,
        explanation={"spam": [{"feature": "subscribe", "weight": 2.5, "start": 0, "end": 9}]},
    )
    page = admin_client.get(f"/admin/moderation/comment/{comment.pk}/change/")
    assert page.status_code == 200
    assert b"subscribe" in page.content and b"+2.500" in page.content


def test_the_event_log_is_read_only_in_the_admin(admin_client):
    assert admin_client.get("/admin/moderation/moderationevent/add/").status_code == 403


def test_the_comment_page_is_read_only_with_no_save_buttons(admin_client):
    comment = CommentFactory(status=Status.HELD)
    page = admin_client.get(f"/admin/moderation/comment/{comment.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert b'name="_continue"' not in page.content
    posted = admin_client.post(f"/admin/moderation/comment/{comment.pk}/change/", {"body": "x"})
    assert posted.status_code == 403
    comment.refresh_from_db()
    assert comment.body != "x"


def _moderators_group():
    from django.contrib.auth.models import Group

    return Group.objects.get(name="Moderators")


def test_a_member_of_the_moderators_group_works_the_queue_in_the_admin(client):
    user = StaffFactory()
    user.groups.add(_moderators_group())
    client.force_login(user)
    held = CommentFactory(status=Status.HELD)
    page = client.get("/admin/moderation/comment/")
    assert page.status_code == 200
    assert b"approve_selected" in page.content and b"send_back_selected" in page.content
    client.post(
        "/admin/moderation/comment/", {"action": "approve_selected", "_selected_action": [held.pk]}
    )
    held.refresh_from_db()
    assert held.status == Status.APPROVED


def test_staff_with_view_permission_only_gets_no_decision_actions(client):
    from django.contrib.auth.models import Permission

    user = StaffFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(user)
    held = CommentFactory(status=Status.HELD)
    page = client.get("/admin/moderation/comment/")
    assert page.status_code == 200
    assert b"approve_selected" not in page.content
    client.post(
        "/admin/moderation/comment/", {"action": "approve_selected", "_selected_action": [held.pk]}
    )
    held.refresh_from_db()
    assert held.status == Status.HELD
    assert held.events.count() == 0


@pytest.mark.parametrize("what", ["article", "site"])
def test_deleting_an_article_or_site_with_moderated_comments_says_why_and_what_to_do(
    admin_client, what
):
    comment = CommentFactory(status=Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=admin_client.user)
    target = comment.article if what == "article" else comment.article.site
    url = f"/admin/moderation/{what}/{target.pk}/delete/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert b"moderation log is permanent" in page.content
    assert b"close comments" in page.content
    admin_client.post(url, {"post": "yes"})
    assert type(target).objects.filter(pk=target.pk).exists()
    assert ModerationEvent.objects.filter(comment=comment).exists()


def test_an_article_without_moderated_comments_can_be_deleted_in_the_admin(admin_client):
    article = ArticleFactory()
    page = admin_client.get(f"/admin/moderation/article/{article.pk}/delete/")
    assert b"moderation log is permanent" not in page.content
    admin_client.post(f"/admin/moderation/article/{article.pk}/delete/", {"post": "yes"})
    assert not type(article).objects.filter(pk=article.pk).exists()


def test_a_site_sets_thresholds_label_by_label_in_the_admin(admin_client):
    from moderation.models import SiteThreshold
    from tests.moderation.factories import SiteFactory

    site = SiteFactory()
    page = admin_client.get(f"/admin/moderation/site/{site.pk}/change/")
    assert b"thresholds by label" in page.content and b'value="threat"' in page.content
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        site_change_form(
            site,
            thresholds=[
                {"label": "threat", "publish_below": "0.05", "reject_above": ""},
                {"label": "spam", "publish_below": "0.2", "reject_above": "0.8"},
            ],
        ),
    )
    assert response.status_code == 302
    assert site.threshold_overrides() == {
        "spam": {"publish": 0.2, "reject": 0.8},
        "threat": {"publish": 0.05, "reject": None},
    }
    assert SiteThreshold.objects.count() == 2


def test_an_override_records_the_model_it_was_set_for_and_asks_for_review_when_it_changes(
    admin_client,
):
    from moderation import scoring
    from moderation.models import SiteThreshold
    from tests.moderation.factories import SiteFactory

    site = SiteFactory()
    url = f"/admin/moderation/site/{site.pk}/change/"
    row = {"label": "threat", "publish_below": "0.05", "reject_above": ""}
    assert admin_client.post(url, site_change_form(site, thresholds=[row])).status_code == 302
    current = scoring.label_versions()["threat"]
    override = SiteThreshold.objects.get(site=site)
    assert current and override.model_version == current
    assert b"revisit" not in admin_client.get(url).content

    SiteThreshold.objects.filter(pk=override.pk).update(model_version="toxicity-old")
    page = admin_client.get(url).content.decode()
    assert f"toxicity-old: revisit, the model is now {current}" in page


@pytest.mark.parametrize(
    "rows, message",
    [
        (
            [{"label": "spam", "publish_below": "0.9", "reject_above": "0.5"}],
            b"at least the publish",
        ),
        ([{"label": "sarcasm", "publish_below": "0.1", "reject_above": ""}], b"not one of the"),
        (
            [
                {"label": "spam", "publish_below": "0.1", "reject_above": ""},
                {"label": "spam", "publish_below": "0.2", "reject_above": ""},
            ],
            b"correct the duplicate",
        ),
    ],
)
def test_the_admin_refuses_thresholds_that_make_no_sense(admin_client, rows, message):
    from tests.moderation.factories import SiteFactory

    site = SiteFactory()
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/", site_change_form(site, thresholds=rows)
    )
    assert response.status_code == 200
    assert message in response.content.lower()
    assert site.thresholds.count() == 0
