"""Reading a thread costs the same number of queries with 3 comments as with 60 and replies."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db
BODY = CommentFactory.body.encode()


def thread_reads(article) -> dict[str, str]:
    key, external = article.site.public_key, article.external_id
    return {
        "widget": f"/api/v1/embed/{key}/articles/{external}/comments/?missing=empty&order=oldest",
        "page": f"/embed/{key}/{external}/",
        "public list": f"/api/v1/articles/{article.pk}/comments/",
    }


def fill(article, count: int) -> None:
    """count published comments; every third answers the one before it, nesting deep; and a
    held comment with a published reply (shown as "[removed]")."""
    previous = None
    for index in range(count):
        parent = previous if index % 3 == 2 else None
        previous = CommentFactory(article=article, status=Status.APPROVED, parent=parent)
    held = CommentFactory(article=article, status=Status.HELD)
    CommentFactory(article=article, status=Status.APPROVED, parent=held)


def queries(client, path: str) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(captured), response.content


def test_the_thread_reads_make_as_many_queries_for_60_comments_as_for_3(client, site):
    few = ArticleFactory(site=site, external_id="few")
    many = ArticleFactory(site=site, external_id="many")
    fill(few, 3)
    fill(many, 60)
    for name in thread_reads(few):
        client.get(thread_reads(few)[name])  # the first read of a kind warms what others reuse
        few_count, few_content = queries(client, thread_reads(few)[name])
        many_count, many_content = queries(client, thread_reads(many)[name])
        assert many_count == few_count, f"{name}: {few_count} queries for 3, {many_count} for 60"
        # It did read more comments: at least a page of 20 threads, against 3.
        assert many_content.count(BODY) >= 20 > few_content.count(BODY)
