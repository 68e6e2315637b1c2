"""Property-based tests generated from the OpenAPI schema: no request may cause a server error."""

import pytest
import schemathesis
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from moderation import tasks
from moderation.models import Comment, Site
from tests.moderation.factories import ArticleFactory, CommentFactory, ModeratorFactory

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def moderator_token(transactional_db, monkeypatch):
    # No broker here.
    monkeypatch.setattr(tasks.comment_score_task, "delay", lambda comment_id: None)
    article = ArticleFactory(pk=1, external_id="1")
    CommentFactory(pk=1, article=article, status=Comment.Status.HELD)
    return Token.objects.create(user=ModeratorFactory()).key


def existing_rows(parameters):
    """Path parameters aimed at the fixture's rows, so requests reach validation and services."""
    public_key = Site.objects.get(articles__pk=1).public_key
    return {name: public_key if name == "public_key" else 1 for name in parameters}


@schema.parametrize()
# The fixture's rows are meant to be shared by every generated request.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_api_never_answers_with_a_server_error(case, moderator_token, live_server):
    cache.clear()  # keep the throttles out of the way
    case.path_parameters = existing_rows(case.path_parameters or {})
    response = case.call(
        base_url=live_server.url, headers={"Authorization": f"Token {moderator_token}"}
    )
    assert response.status_code < 500, response.text
    # Every answer the schema documents has the documented media type and shape.
    case.validate_response(
        response,
        checks=[not_a_server_error, content_type_conformance, response_schema_conformance],
    )


def test_the_api_docs_load_swagger_ui_from_this_server_not_a_cdn(client):
    from django.contrib.staticfiles import finders

    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "@latest" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
