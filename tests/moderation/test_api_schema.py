"""Property-based tests generated from the OpenAPI schema: no request may cause a server error."""

import pytest
import schemathesis
from django.core.cache import cache
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from moderation import tasks
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, StaffFactory

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def staff_token(transactional_db, monkeypatch):
    monkeypatch.setattr(tasks.score_comment, "delay", lambda comment_id: None)  # no broker here
    article = ArticleFactory(pk=1)
    CommentFactory(pk=1, article=article, status=Comment.Status.HELD)
    return Token.objects.create(user=StaffFactory()).key


@schema.parametrize()
# The fixture's rows are meant to be shared by every generated request.
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_api_never_answers_with_a_server_error(case, staff_token, live_server):
    cache.clear()  # keep the submit throttle out of the way
    # Aim at rows that exist, so generated bodies reach validation and the services.
    case.path_parameters = dict.fromkeys(case.path_parameters or {}, 1)
    response = case.call(
        base_url=live_server.url, headers={"Authorization": f"Token {staff_token}"}
    )
    assert response.status_code < 500, response.text
