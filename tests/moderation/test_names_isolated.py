"""Every HTML surface renders a commenter's name inside <bdi> (issue 19)."""

import pytest
from django.test import Client

from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, StaffFactory

pytestmark = pytest.mark.django_db
NAME = "Ana \u05e9\u05dc\u05d5\u05dd"  # ends right to left


@pytest.fixture
def comment():
    article = ArticleFactory(external_id="tram-line")
    parent = CommentFactory(article=article, author_name=NAME, status=Comment.Status.APPROVED)
    return CommentFactory(
        article=article, parent=parent, author_name=NAME, status=Comment.Status.HELD
    )


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_admin_list_and_change_pages_isolate_names(admin_client, comment):
    listing = admin_client.get("/admin/moderation/comment/").content.decode()
    assert f"<bdi>{NAME}</bdi>" in listing
    change = admin_client.get(f"/admin/moderation/comment/{comment.pk}/change/").content.decode()
    assert f"<bdi>{NAME}</bdi>" in change


def test_the_queue_isolates_the_author_and_the_parents_author(admin_client, comment):
    page = admin_client.get("/admin/moderation/moderationqueue/").content.decode()
    assert f"<strong><bdi>{NAME}</bdi></strong>" in page
    assert f"In reply to <bdi>{NAME}</bdi>:" in page


def test_the_no_javascript_page_isolates_names(comment):
    site = comment.article.site
    page = Client().get(f"/embed/{site.public_key}/tram-line/").content.decode()
    assert f"<bdi>{NAME}</bdi>" in page
