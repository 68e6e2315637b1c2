"""Every error under /api/ and /v1alpha1/ is JSON in that API's shape (issue 19)."""

import pytest
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db

# Bigger than Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) by half a megabyte.
HUGE = b'{"body": "' + b"x" * (3 * 1024 * 1024) + b'"}'


def api_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def google_error(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["code"] == status
    return body["error"]


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("api/v1/boom/", boom),
    path("v1alpha1/boom", boom),
]


@pytest.fixture
def client():
    return Client(raise_request_exception=False)


def test_an_oversized_comment_is_a_json_413(client, article):
    url = f"/api/v1/articles/{article.pk}/comments/"
    error = api_error(client.post(url, HUGE, content_type="application/json"), 413)
    assert error["code"] == "too_large" and "bytes" in error["message"]


def test_an_oversized_body_on_the_widget_route_is_a_json_413(client, article):
    article.external_id = "tram-line"
    article.save()
    url = f"/api/v1/embed/{article.site.public_key}/articles/tram-line/comments/"
    api_error(client.post(url, HUGE, content_type="application/json"), 413)


def test_unknown_paths_and_methods_answer_in_each_apis_shape(client, article):
    assert api_error(client.get("/api/v1/nothing-here/"), 404)["code"] == "not_found"
    api_error(client.delete(f"/api/v1/articles/{article.pk}/comments/"), 405)
    google_error(client.get("/v1alpha1/nothing-here"), 404)


@pytest.mark.urls(__name__)
def test_a_server_error_answers_in_each_apis_shape(client, settings):
    settings.DEBUG = False
    from project import urls as project_urls

    globals().update(handler500=project_urls.handler500)
    assert api_error(client.get("/api/v1/boom/"), 500)["code"] == "server_error"
    google_error(client.get("/v1alpha1/boom"), 500)


def test_pages_outside_the_apis_keep_djangos_html(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
