import pytest
from rest_framework.test import APIClient

from moderation import tasks
from tests.moderation.factories import ArticleFactory, SiteFactory, SiteOriginFactory

NEWS_ORIGIN = "https://news.example.com"


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Submissions queue scoring; these tests look at what the widget's API does, not scores."""
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    return sent


@pytest.fixture
def client():
    return APIClient(REMOTE_ADDR="198.51.100.23", HTTP_USER_AGENT="pytest-agent")


@pytest.fixture
def site(db):
    site = SiteFactory(domain="news.example.com")
    SiteOriginFactory(site=site, origin=NEWS_ORIGIN)
    return site


@pytest.fixture
def embedded_article(site):
    return ArticleFactory(
        site=site, external_id="tram-line-2026", url=f"{NEWS_ORIGIN}/city/tram-line"
    )
