"""Cross-origin grants: only the origins of the site that owns what is asked for."""

import pytest

from tests.moderation.embed.conftest import NEWS_ORIGIN
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteOriginFactory

pytestmark = pytest.mark.django_db

GRANT = "Access-Control-Allow-Origin"


def thread_url(article):
    return f"/api/v1/embed/{article.site.public_key}/articles/{article.external_id}/comments/"


def test_an_allowed_origin_gets_a_grant_for_its_sites_thread(client, embedded_article):
    response = client.get(thread_url(embedded_article), HTTP_ORIGIN=NEWS_ORIGIN)
    assert response.status_code == 200
    assert response[GRANT] == NEWS_ORIGIN


def test_an_origin_the_site_does_not_list_gets_no_grant(client, embedded_article):
    response = client.get(thread_url(embedded_article), HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 200  # the browser, not the server, withholds the answer
    assert GRANT not in response


def test_another_sites_origin_gets_no_grant(client, embedded_article):
    SiteOriginFactory(origin="https://other-paper.example")
    response = client.get(thread_url(embedded_article), HTTP_ORIGIN="https://other-paper.example")
    assert GRANT not in response


def test_a_preflight_from_an_allowed_origin_is_granted(client, embedded_article):
    response = client.options(
        thread_url(embedded_article),
        HTTP_ORIGIN=NEWS_ORIGIN,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert response.status_code == 200
    assert response[GRANT] == NEWS_ORIGIN
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_a_preflight_from_a_foreign_origin_is_not(client, embedded_article):
    response = client.options(
        thread_url(embedded_article),
        HTTP_ORIGIN="https://evil.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert GRANT not in response


def test_the_routes_by_internal_id_follow_the_articles_site(client, embedded_article):
    other = ArticleFactory()
    url = "/api/v1/articles/{}/comments/"
    assert client.get(url.format(embedded_article.pk), HTTP_ORIGIN=NEWS_ORIGIN)[GRANT]
    assert GRANT not in client.get(url.format(other.pk), HTTP_ORIGIN=NEWS_ORIGIN)
    comment = CommentFactory(article=embedded_article)
    status = client.get(f"/api/v1/comments/{comment.pk}/?token=x", HTTP_ORIGIN=NEWS_ORIGIN)
    assert status[GRANT] == NEWS_ORIGIN


def test_the_server_to_server_api_never_gets_a_grant(client, embedded_article):
    response = client.put(
        f"/api/v1/site/articles/{embedded_article.external_id}/", HTTP_ORIGIN=NEWS_ORIGIN
    )
    assert GRANT not in response


def test_the_development_setting_grants_every_origin(client, embedded_article, settings):
    settings.CORS_ALLOW_ALL_ORIGINS = True
    response = client.get(thread_url(embedded_article), HTTP_ORIGIN="https://anywhere.example")
    assert response[GRANT] == "*"
