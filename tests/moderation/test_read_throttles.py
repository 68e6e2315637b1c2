"""Anonymous reads are throttled: threads per address, status polls per token (issue 19)."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
TOKEN = "secret-token"  # the factory's comments all have this status token


@pytest.fixture
def rates(monkeypatch):
    def set_rates(**rates):
        for scope, rate in rates.items():
            monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, rate)

    return set_rates


@pytest.fixture
def article():
    return ArticleFactory(external_id="tram-line")


def reader(ip="198.51.100.23"):
    return APIClient(REMOTE_ADDR=ip)


def read_paths(article):
    key = article.site.public_key
    return [
        f"/api/v1/articles/{article.pk}/comments/",
        f"/api/v1/embed/{key}/articles/tram-line/comments/",
        f"/api/v1/embed/{key}/articles/tram-line/",
        f"/embed/{key}/tram-line/",
    ]


def test_the_defaults_allow_600_reads_and_120_polls_a_minute(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["public_read"] == "600/minute"
    assert rates["status_poll"] == "120/minute"


@pytest.mark.parametrize("index", range(4))
def test_thread_and_article_reads_are_limited_per_address(article, rates, index):
    rates(public_read="5/minute")
    path = read_paths(article)[index]
    codes = [reader().get(path).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    assert reader(ip="192.0.2.1").get(path).status_code == 200  # another address reads on


def test_every_read_route_shares_one_count_per_address(article, rates):
    rates(public_read="4/minute")
    codes = [reader().get(path).status_code for path in read_paths(article)]
    assert codes == [200, 200, 200, 200]
    assert reader().get(read_paths(article)[0]).status_code == 429


def test_status_polls_are_limited_per_token(article, rates):
    rates(status_poll="3/minute")
    comment = CommentFactory(article=article)
    other = CommentFactory(article=article)
    url = f"/api/v1/comments/{comment.pk}/"
    codes = [reader().get(url, HTTP_X_STATUS_TOKEN=TOKEN).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    # From any address: the count is the token's.
    assert reader("192.0.2.9").get(url, HTTP_X_STATUS_TOKEN=TOKEN).status_code == 429
    # Another comment's token is counted on its own (all factory comments share one token
    # value here, so this one is polled through a freshly issued token).
    fresh = other.issue_status_token()
    other.save()
    other_url = f"/api/v1/comments/{other.pk}/"
    assert reader().get(other_url, HTTP_X_STATUS_TOKEN=fresh).status_code == 200


def test_guessing_tokens_is_limited_per_address(article, rates):
    rates(status_poll="1000/minute", status_poll_miss="5/minute")
    comment = CommentFactory(article=article, status=Comment.Status.HELD)
    key = article.site.public_key
    url = f"/api/v1/embed/{key}/comments/{comment.pk}/"
    codes = [reader().get(url, HTTP_X_STATUS_TOKEN=f"guess-{n}").status_code for n in range(7)]
    assert codes == [404] * 5 + [429, 429]
    assert reader("192.0.2.10").get(url, HTTP_X_STATUS_TOKEN=TOKEN).status_code == 200


def test_a_readers_widget_polling_stays_well_inside_the_default(article):
    # The widget polls each waiting comment at most every 2 s: 30 a minute per token.
    comment = CommentFactory(article=article)
    url = f"/api/v1/comments/{comment.pk}/"
    assert all(reader().get(url, HTTP_X_STATUS_TOKEN=TOKEN).status_code == 200 for _ in range(30))
