"""Submit-time rules through the API: closed, flood, duplicate and the honeypot."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from moderation import tasks
from moderation.models import Comment, ModerationEvent
from moderation.rules.models import SiteRules
from tests.moderation.factories import ArticleFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db

VALID = {
    "author_name": "Ana Reader",
    "author_email": "ana@example.org",
    "body": "Renting out prison cells raises questions about oversight.",
}


@pytest.fixture
def client():
    return APIClient(REMOTE_ADDR="198.51.100.23")


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    return sent


def url(article) -> str:
    return f"/api/v1/articles/{article.pk}/comments/"


def post(client, article, **changes):
    return client.post(url(article), {**VALID, **changes}, format="json")


def test_comments_close_n_days_after_publication_with_the_closed_answer(client, article):
    SiteRules.objects.create(site=article.site, close_after_days=7)
    article.published_at = timezone.now() - timedelta(days=6)
    article.save()
    assert post(client, article).status_code == 202
    article.published_at = timezone.now() - timedelta(days=8)
    article.save()
    response = post(client, article, body="Another thought.")
    assert response.status_code == 409
    assert response.json()["error"]["message"] == "Comments are closed on this article."


def test_an_article_without_a_publication_date_closes_n_days_after_it_was_first_seen(client):
    article = ArticleFactory(published_at=None)
    SiteRules.objects.create(site=article.site, close_after_days=2)
    assert post(client, article).status_code == 202
    type(article).objects.filter(pk=article.pk).update(
        created_at=timezone.now() - timedelta(days=3)
    )
    assert post(client, article, body="Later.").status_code == 409


def test_flooding_from_one_address_gets_429_with_retry_after(client, article):
    SiteRules.objects.create(site=article.site, flood_per_minute=2)
    codes = [
        post(client, article, body=f"Point {n}.", author_email=f"{n}@example.org") for n in "abc"
    ]
    assert [r.status_code for r in codes] == [202, 202, 429]
    assert 1 <= int(codes[-1]["Retry-After"]) <= 61
    assert "too fast" in codes[-1].json()["error"]["message"]
    # Another address on the same site is not held back.
    other = APIClient(REMOTE_ADDR="192.0.2.1")
    assert other.post(url(article), {**VALID, "body": "Mine."}, format="json").status_code == 202


def test_flooding_from_one_email_across_addresses_gets_429(article):
    SiteRules.objects.create(site=article.site, flood_per_minute=2)
    codes = [
        APIClient(REMOTE_ADDR=f"192.0.2.{n}")
        .post(url(article), {**VALID, "body": f"Point {n}."}, format="json")
        .status_code
        for n in range(3)
    ]
    assert codes == [202, 202, 429]


def test_flood_limits_are_per_site(client, article):
    SiteRules.objects.create(site=article.site, flood_per_minute=1)
    elsewhere = ArticleFactory()
    assert post(client, article).status_code == 202
    assert post(client, elsewhere).status_code == 202
    assert post(client, article, body="Again.").status_code == 429


def test_the_same_text_from_the_same_author_is_refused_as_a_duplicate(client, article):
    assert post(client, article).status_code == 202
    again = post(
        client, article, body="  RENTING out prison cells raises questions about oversight!"
    )
    assert again.status_code == 202  # punctuation differs: not the same text
    duplicate = post(client, article, body=VALID["body"].upper())
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate"
    assert duplicate.json()["error"]["message"] == "You already posted this comment."
    # Someone else may say the same; and outside the window the author may too.
    assert post(client, article, author_email="bo@example.org").status_code == 202
    Comment.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert post(client, article).status_code == 202


def test_duplicates_are_allowed_where_the_site_switched_the_rule_off(client, article):
    SiteRules.objects.create(site=article.site, duplicate_minutes=None)
    assert [post(client, article).status_code for _ in "ab"] == [202, 202]


def test_the_honeypot_answers_like_any_submission_and_stays_pending_to_the_bot(
    client, article, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        real = post(client, article, body="A real comment.")
    assert queued == [real.json()["id"]]
    with django_capture_on_commit_callbacks(execute=True):
        bot = post(client, article, body="Cheap watches!", homepage="http://spam.example")
    assert queued == [real.json()["id"]]  # the bot's comment is never scored
    assert bot.status_code == real.status_code == 202
    assert set(bot.json()) == set(real.json())
    assert bot.json()["status"] == real.json()["status"] == "pending"
    comment = Comment.objects.get(pk=bot.json()["id"])
    assert comment.status == Status.REJECTED
    assert (
        comment.decision_reason
        == "Rejected: honeypot (the hidden field only bots fill was filled)."
    )
    event = ModerationEvent.objects.get(comment=comment)
    assert event.details["rules"][0]["rule"] == "honeypot"
    for _ in range(3):
        poll = client.get(bot.json()["status_url"])
        assert poll.status_code == 200 and poll.json()["status"] == "pending"


def test_a_site_without_the_honeypot_takes_the_field_as_nothing(client, article):
    SiteRules.objects.create(site=article.site, honeypot=False)
    bot = post(client, article, homepage="filled")
    assert Comment.objects.get(pk=bot.json()["id"]).status == Status.PENDING
