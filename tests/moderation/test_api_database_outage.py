"""A database outage answers 503 with Retry-After in the API's error shape, never 500."""

import pytest
from django.db import OperationalError
from django.test import Client
from rest_framework.test import APIClient

from moderation import services
from moderation.embed import views as embed_views

pytestmark = pytest.mark.django_db


def _refuse(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


def test_a_submission_while_the_database_is_down_is_503_with_retry_after(article, monkeypatch):
    monkeypatch.setattr(services, "comment_submit", _refuse)
    response = APIClient().post(
        f"/api/v1/articles/{article.pk}/comments/",
        {"author_name": "Ana", "author_email": "ana@example.org", "body": "Fair point."},
        format="json",
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["error"]["code"] == "service_unavailable"
    assert set(body["error"]) == {"code", "message", "fields"}


def test_a_page_outside_the_api_is_503_too(monkeypatch):
    monkeypatch.setattr(embed_views.selectors, "site_by_public_key", _refuse)
    response = Client().get("/embed/pk_anything/article-1/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "service_unavailable"
