"""The script's address and the server-rendered thread for readers without JavaScript."""

import gzip

import pytest
from django.test import Client

from moderation.embed.views import WIDGET_SCRIPT
from moderation.models import Comment
from tests.moderation.factories import CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db


def page_url(article):
    return f"/embed/{article.site.public_key}/{article.external_id}/"


def test_the_widget_is_served_at_embed_js(client):
    response = client.get("/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"attachShadow" in b"".join(response.streaming_content)


def test_the_widget_is_also_a_static_file_served_by_whitenoise(settings):
    settings.WHITENOISE_USE_FINDERS = True  # as without collectstatic; production collects
    response = Client().get("/static/moderation/embed.js")  # a new handler reads the setting
    assert response.status_code == 200
    assert b"attachShadow" in b"".join(response.streaming_content)


def test_the_widget_stays_small():
    assert len(gzip.compress(WIDGET_SCRIPT.read_bytes(), 9)) < 15 * 1024


def test_the_widget_never_writes_markup_from_data():
    source = WIDGET_SCRIPT.read_text()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write"):
        assert sink not in source


def test_the_page_escapes_names_and_text_and_keeps_line_breaks(client, embedded_article):
    CommentFactory(
        article=embedded_article,
        status=Status.APPROVED,
        author_name="<b>Ana</b>",
        author_url="https://ana.example.org/?a=1&b=2",
        body='<script>alert("x")</script>\nSecond line',
    )
    response = client.get(page_url(embedded_article))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>Second line" in html
    assert "&lt;b&gt;Ana&lt;/b&gt;" in html
    assert '<a href="https://ana.example.org/?a=1&amp;b=2" rel="nofollow ugc noopener">' in html


def test_the_page_shows_threads_and_removed_places(client, embedded_article):
    parent = CommentFactory(article=embedded_article, status=Status.REJECTED, body="Gone text")
    CommentFactory(article=embedded_article, status=Status.APPROVED, parent=parent, body="Reply")
    CommentFactory(article=embedded_article, status=Status.HELD, body="Held text")
    html = client.get(page_url(embedded_article)).content.decode()
    assert "[removed]" in html and "Reply" in html
    assert "Gone text" not in html and "Held text" not in html
    assert "1 comment." in html


def test_the_page_pages(client, embedded_article):
    for n in range(3):
        CommentFactory(article=embedded_article, status=Status.APPROVED, body=f"Number {n}")
    first = client.get(page_url(embedded_article) + "?page_size=2").content.decode()
    assert "Number 0" in first and "Number 2" not in first
    assert 'rel="next"' in first
    second = client.get(page_url(embedded_article) + "?page_size=2&page=2").content.decode()
    assert "Number 2" in second and 'rel="prev"' in second


def test_an_unknown_article_or_bad_page_is_a_404(client, embedded_article):
    assert client.get(f"/embed/{embedded_article.site.public_key}/nope/").status_code == 404
    assert client.get(page_url(embedded_article) + "?page=0").status_code == 404
