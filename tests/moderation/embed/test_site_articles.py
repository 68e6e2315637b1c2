"""PUT /api/v1/site/articles/<external_id>/: a site's server registers its articles by key."""

import pytest

from moderation.keys.services import api_key_create, api_key_revoke
from moderation.models import Article
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory

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


def comments_url(external_id="tram-line-2026"):
    return f"/api/v1/site/articles/{external_id}/comments/"


def test_a_site_reads_its_article_by_its_own_id(client, secret, embedded_article):
    response = client.get(url(), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["external_id"] == "tram-line-2026"


def test_a_site_lists_an_articles_comments_with_status_and_counts(client, secret, embedded_article):
    statuses = ["approved", "held", "held", "rejected", "pending"]
    made = [CommentFactory(article=embedded_article, status=status) for status in statuses]
    CommentFactory(status="approved")  # another article's

    answer = client.get(comments_url(), HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert answer["article"]["external_id"] == "tram-line-2026"
    assert answer["counts"] == {"pending": 1, "approved": 1, "held": 2, "rejected": 1}
    assert answer["count"] == 5
    assert [c["id"] for c in answer["results"]] == [c.pk for c in made]
    assert [c["status"] for c in answer["results"]] == statuses
    assert "author_email" not in answer["results"][0]
    assert "ip_address" not in answer["results"][0]

    held = client.get(
        comments_url(), {"status": "held", "page_size": 1}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    ).json()
    assert held["count"] == 2 and len(held["results"]) == 1
    assert held["results"][0]["id"] == made[1].pk
    assert "page=2" in held["next"] and held["previous"] is None
    second = client.get(held["next"], HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert second["results"][0]["id"] == made[2].pk and second["next"] is None


def test_a_bad_status_or_page_is_named(client, secret, embedded_article):
    response = client.get(
        comments_url(), {"status": "published", "page": 0}, HTTP_AUTHORIZATION=f"Bearer {secret}"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"status", "page"}


def test_another_sites_article_is_a_json_404(client, secret):
    other = ArticleFactory(site=SiteFactory(), external_id="theirs")
    response = client.get(comments_url(other.external_id), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {
        "external_id": ["No article 'theirs' on this site."]
    }


@pytest.mark.parametrize(
    "headers, named",
    [
        ({}, "none was sent"),
        ({"HTTP_AUTHORIZATION": "Token 0123456789abcdef"}, "not a moderator's API token"),
        ({"HTTP_AUTHORIZATION": "Bearer pk_abc"}, "not a site's public key (pk_…)"),
    ],
)
def test_a_wrong_credential_type_is_a_401_naming_the_secret_key(
    client, embedded_article, headers, named
):
    response = client.get(comments_url(), **headers)
    assert response.status_code == 401
    message = response.json()["error"]["message"]
    assert "secret" in message and "Bearer sk_" in message
    if named != "none was sent":
        assert named in message
