import pytest
from django.contrib.auth import get_user_model

from moderation.models import Comment
from tests.moderation.factories import CommentFactory

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
    [("approve_selected", Status.APPROVED), ("reject_selected", Status.REJECTED)],
)
def test_admin_actions_go_through_the_service_and_write_events(admin_client, action, expected):
    held = CommentFactory(status=Status.HELD)
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
