"""PUT /api/v1/site/articles/<external_id>/: a site's server registers its articles by key."""

import pytest

from moderation.keys.services import api_key_create, api_key_revoke
from moderation.models import Article
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db

ARTICLE = {
    "title": "Council approves the new tram line",
    "url": "https://news.example.com/city/tram-line",
    "published_at": "2026-11-28T09:30:00Z",
    "comments_close_at": "2026-12-12T09:30:00Z",
}


def url(external_id="tram-line-2026"):
    return f"/api/v1/site/articles/{external_id}/"


@pytest.fixture
def secret(site):
    return api_key_create(site=site, name="CMS")[1]


def test_a_site_creates_an_article_by_its_own_id(client, site, secret):
    response = client.put(url(), ARTICLE, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 201
    article = Article.objects.get(site=site, external_id="tram-line-2026")
    assert article.title == ARTICLE["title"]
    assert article.comments_open is True
    assert article.published_at.isoformat() == "2026-11-28T09:30:00+00:00"
    assert response.json()["accepts_comments"] is True


def test_putting_it_again_updates_the_same_article(client, site, secret, embedded_article):
    response = client.put(
        url(embedded_article.external_id),
        {**ARTICLE, "title": "Tram line approved", "comments_open": False},
        format="json",
        HTTP_X_API_KEY=secret,
    )
    assert response.status_code == 200
    embedded_article.refresh_from_db()
    assert embedded_article.title == "Tram line approved"
    assert embedded_article.comments_open is False
    assert Article.objects.filter(site=site).count() == 1


def test_the_same_id_on_two_sites_is_two_articles(client, site, secret):
    other_secret = api_key_create(site=SiteFactory(), name="CMS")[1]
    client.put(url(), ARTICLE, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.put(url(), ARTICLE, format="json", HTTP_AUTHORIZATION=f"Bearer {other_secret}")
    assert Article.objects.filter(external_id="tram-line-2026").count() == 2


def test_a_missing_key_is_refused_with_what_to_send(client, site):
    response = client.put(url(), ARTICLE, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert "Bearer" in response.json()["error"]["message"]
    assert not Article.objects.exists()


def test_a_wrong_key_is_refused(client, site, secret):
    response = client.put(
        url(), ARTICLE, format="json", HTTP_AUTHORIZATION="Bearer sk_not-a-real-key"
    )
    assert response.status_code == 401
    assert "Authorization" in response.json()["error"]["fields"]
    assert not Article.objects.exists()


def test_a_revoked_key_is_refused(client, site):
    api_key, secret = api_key_create(site=site, name="Old CMS")
    api_key_revoke(api_key_id=api_key.pk)
    response = client.put(url(), ARTICLE, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]["message"].lower()
    assert not Article.objects.exists()


def test_a_staff_session_is_not_a_site_key(client, site, staff):
    client.force_login(staff)
    assert client.put(url(), ARTICLE, format="json").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"url": "not a url"}, "url"),
        ({"published_at": "yesterday"}, "published_at"),
        ({"comments_open": "perhaps"}, "comments_open"),
    ],
)
def test_bad_fields_are_named(client, site, secret, change, field):
    response = client.put(
        url(), {**ARTICLE, **change}, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_a_closing_date_in_the_past_closes_comments(client, site, secret):
    client.put(
        url(),
        {**ARTICLE, "comments_close_at": "2020-01-01T00:00:00Z"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    thread = f"/api/v1/embed/{site.public_key}/articles/tram-line-2026/comments/"
    response = client.post(
        thread,
        {"author_name": "Ana", "author_email": "ana@example.org", "body": "Late."},
        format="json",
    )
    assert response.status_code == 409


def test_the_upsert_is_in_the_schema_with_examples(client):
    schema = client.get("/api/schema/?format=json").json()
    put = schema["paths"]["/api/v1/site/articles/{external_id}/"]["put"]
    assert put["requestBody"]["content"]["application/json"]["examples"]
    post = schema["paths"]["/api/v1/embed/{public_key}/articles/{external_id}/"]["post"]
    assert post["requestBody"]["content"]["application/json"]["examples"]
