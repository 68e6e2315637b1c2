"""The widget's public routes: the thread, submitting, status, and articles made on first load."""

import pytest

from moderation.models import Article, Comment
from tests.moderation.embed.conftest import NEWS_ORIGIN
from tests.moderation.factories import ArticleFactory, CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db

VALID = {
    "author_name": "Ana Reader",
    "author_email": "ana@example.org",
    "body": "Who pays for the tram's upkeep?",
}


def thread_url(article, **query):
    url = f"/api/v1/embed/{article.site.public_key}/articles/{article.external_id}/comments/"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def published(article, **kwargs):
    return CommentFactory(article=article, status=Status.APPROVED, **kwargs)


def test_a_comment_posted_by_site_key_and_article_id_is_pending_with_a_token(
    client, embedded_article, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(thread_url(embedded_article), VALID, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert queued == [body["id"]]
    assert Comment.objects.get(pk=body["id"]).article == embedded_article
    key = embedded_article.site.public_key
    assert f"/api/v1/embed/{key}/comments/{body['id']}/?token=" in body["status_url"]
    status = client.get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["status"] == "pending"


def test_the_status_route_refuses_a_wrong_token_or_another_sites_key(client, embedded_article):
    body = client.post(thread_url(embedded_article), VALID, format="json").json()
    wrong = client.get(
        f"/api/v1/embed/{embedded_article.site.public_key}/comments/{body['id']}/?token=nope"
    )
    assert wrong.status_code == 404
    other_key = ArticleFactory().site.public_key
    foreign = client.get(f"/api/v1/embed/{other_key}/comments/{body['id']}/?token={body['token']}")
    assert foreign.status_code == 404


def test_an_unknown_key_or_article_is_a_404_naming_it(client, embedded_article):
    response = client.get("/api/v1/embed/pk_unknown/articles/x/comments/")
    assert response.status_code == 404
    assert "public_key" in response.json()["error"]["fields"]
    response = client.get(
        f"/api/v1/embed/{embedded_article.site.public_key}/articles/nope/comments/"
    )
    assert response.status_code == 404
    assert "external_id" in response.json()["error"]["fields"]


def test_field_errors_name_the_field(client, embedded_article):
    response = client.post(
        thread_url(embedded_article),
        {**VALID, "author_email": "not-an-email", "body": "x" * 5001},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"author_email", "body"}


def test_the_thread_has_only_published_comments_and_their_count(client, embedded_article):
    first = published(embedded_article, body="First.")
    CommentFactory(article=embedded_article, status=Status.HELD, body="Held.")
    CommentFactory(article=embedded_article, status=Status.PENDING, body="Pending.")
    body = client.get(thread_url(embedded_article)).json()
    assert body["count"] == 1
    assert [c["id"] for c in body["results"]] == [first.pk]
    assert body["results"][0]["body"] == "First."
    assert "author_email" not in body["results"][0]
    assert body["article"]["external_id"] == "tram-line-2026"
    assert body["max_depth"] == 4


def test_replies_nest_under_their_parents_oldest_first(client, embedded_article):
    top = published(embedded_article)
    reply = published(embedded_article, parent=top)
    second_reply = published(embedded_article, parent=top)
    nested = published(embedded_article, parent=reply)
    body = client.get(thread_url(embedded_article)).json()
    assert body["count"] == 4
    [thread] = body["results"]
    assert [r["id"] for r in thread["replies"]] == [reply.pk, second_reply.pk]
    assert [r["id"] for r in thread["replies"][0]["replies"]] == [nested.pk]
    assert thread["replies"][0]["replies"][0]["parent"] == reply.pk


def test_a_reply_to_the_last_level_is_stored_under_that_comments_parent(client, embedded_article):
    chain = [published(embedded_article)]
    for _ in range(3):  # levels 2, 3 and 4
        chain.append(published(embedded_article, parent=chain[-1]))
    response = client.post(
        thread_url(embedded_article), {**VALID, "parent": chain[-1].pk}, format="json"
    )
    assert response.status_code == 202
    assert response.json()["parent"] == chain[2].pk
    shallow = client.post(
        thread_url(embedded_article),
        {**VALID, "body": "And a second thought.", "parent": chain[1].pk},
        format="json",
    )
    assert shallow.json()["parent"] == chain[1].pk


def test_the_site_chooses_the_depth(client, embedded_article):
    embedded_article.site.thread_max_depth = 2
    embedded_article.site.save()
    top = published(embedded_article)
    reply = published(embedded_article, parent=top)
    response = client.post(
        thread_url(embedded_article), {**VALID, "parent": reply.pk}, format="json"
    )
    assert response.json()["parent"] == top.pk
    # Comments stored deeper before the site lowered its depth show on the last level.
    deeper = published(embedded_article, parent=reply)
    [thread] = client.get(thread_url(embedded_article)).json()["results"]
    assert [r["id"] for r in thread["replies"]] == [reply.pk, deeper.pk]
    assert client.get(thread_url(embedded_article)).json()["max_depth"] == 2


def test_a_published_reply_keeps_its_place_under_a_removed_parent(client, embedded_article):
    parent = CommentFactory(
        article=embedded_article,
        status=Status.REJECTED,
        author_name="Troll",
        author_url="https://troll.example",
        body="Something rejected.",
    )
    reply = published(embedded_article, parent=parent, body="A fair answer.")
    CommentFactory(article=embedded_article, status=Status.REJECTED, body="Alone, not shown.")
    body = client.get(thread_url(embedded_article)).json()
    assert body["count"] == 1
    [place] = body["results"]
    assert place["removed"] is True
    assert place["author_name"] == place["body"] == place["author_url"] == ""
    assert place["created_at"] is None
    assert [r["id"] for r in place["replies"]] == [reply.pk]
    assert "Troll" not in str(body) and "rejected" not in str(body)


def test_newest_first_and_load_more_pages(client, embedded_article):
    comments = [published(embedded_article, body=f"Comment {n}") for n in range(5)]
    first = client.get(thread_url(embedded_article, order="newest", page_size=2)).json()
    assert [c["id"] for c in first["results"]] == [comments[4].pk, comments[3].pk]
    assert first["threads"] == 5
    assert "page=2" in first["next"] and "order=newest" in first["next"]
    second = client.get(first["next"]).json()
    assert [c["id"] for c in second["results"]] == [comments[2].pk, comments[1].pk]
    last = client.get(second["next"]).json()
    assert [c["id"] for c in last["results"]] == [comments[0].pk]
    assert last["next"] is None
    oldest = client.get(thread_url(embedded_article, page_size=2)).json()
    assert [c["id"] for c in oldest["results"]] == [comments[0].pk, comments[1].pk]


@pytest.mark.parametrize(
    ("query", "field"),
    [("order=random", "order"), ("page=0", "page"), ("page_size=1000", "page_size")],
)
def test_bad_thread_queries_name_the_field(client, embedded_article, query, field):
    response = client.get(thread_url(embedded_article) + "?" + query)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_text_comes_back_as_it_was_written_never_as_markup(client, embedded_article):
    published(embedded_article, author_name="<b>Ana</b>", body='<script>alert("x")</script>\nBye')
    [comment] = client.get(thread_url(embedded_article)).json()["results"]
    assert comment["author_name"] == "<b>Ana</b>"
    assert comment["body"] == '<script>alert("x")</script>\nBye'


# --- articles made by the widget's first load -----------------------------------------------
def article_url(site, external_id="new-story"):
    return f"/api/v1/embed/{site.public_key}/articles/{external_id}/"


NEW_PAGE = {"title": "A new story", "url": f"{NEWS_ORIGIN}/2026/new-story"}


def test_a_site_that_allows_it_gets_the_article_on_first_load(client, site):
    site.embed_auto_create_articles = True
    site.save()
    response = client.post(article_url(site), NEW_PAGE, format="json", HTTP_ORIGIN=NEWS_ORIGIN)
    assert response.status_code == 201
    article = Article.objects.get(site=site, external_id="new-story")
    assert (article.title, article.url) == (NEW_PAGE["title"], NEW_PAGE["url"])
    again = client.post(
        article_url(site), {**NEW_PAGE, "title": "Renamed"}, format="json", HTTP_ORIGIN=NEWS_ORIGIN
    )
    assert again.status_code == 200
    assert again.json()["title"] == "A new story"


def test_a_site_that_does_not_allow_it_is_refused(client, site):
    response = client.post(article_url(site), NEW_PAGE, format="json", HTTP_ORIGIN=NEWS_ORIGIN)
    assert response.status_code == 403
    assert not Article.objects.filter(external_id="new-story").exists()


def test_a_page_on_another_origin_cannot_create_articles(client, site):
    site.embed_auto_create_articles = True
    site.save()
    response = client.post(
        article_url(site), NEW_PAGE, format="json", HTTP_ORIGIN="https://evil.example"
    )
    assert response.status_code == 403
    assert "origin" in response.json()["error"]["fields"]
    no_origin = client.post(article_url(site), NEW_PAGE, format="json")
    assert no_origin.status_code == 403


def test_the_url_must_be_on_an_allowed_origin(client, site):
    site.embed_auto_create_articles = True
    site.save()
    response = client.post(
        article_url(site),
        {**NEW_PAGE, "url": "https://evil.example/story"},
        format="json",
        HTTP_ORIGIN=NEWS_ORIGIN,
    )
    assert response.status_code == 400
    assert "url" in response.json()["error"]["fields"]
    assert not Article.objects.filter(external_id="new-story").exists()


def test_asked_with_missing_empty_an_unknown_article_is_no_error(client, site):
    url = f"/api/v1/embed/{site.public_key}/articles/not-yet/comments/?missing=empty"
    response = client.get(url)
    assert response.status_code == 200
    answer = response.json()
    assert answer["article"] is None and answer["can_create"] is False
    assert answer["results"] == [] and answer["count"] == 0
    site.embed_auto_create_articles = True
    site.save()
    assert client.get(url).json()["can_create"] is True


def test_asked_with_missing_empty_a_known_article_is_its_thread(client, embedded_article):
    key = embedded_article.site.public_key
    answer = client.get(
        f"/api/v1/embed/{key}/articles/{embedded_article.external_id}/comments/?missing=empty"
    ).json()
    assert answer["article"]["external_id"] == embedded_article.external_id
    assert "can_create" not in answer
