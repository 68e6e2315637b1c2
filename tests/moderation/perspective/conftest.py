import json
from collections.abc import Callable

import pytest
from django.test import Client

from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_create
from moderation.models import Site
from moderation.perspective import services
from moderation.perspective.attributes import supported_attributes
from tests.moderation.factories import SiteFactory

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"


@pytest.fixture(autouse=True)
def _usage_written_at_once(settings):
    """Counts are written on every request here; test_storage tests the buffering itself."""
    settings.PERSPECTIVE_USAGE_FLUSH_SECONDS = 0
    yield
    services._pending_usage.clear()
    services._checked_keys.clear()


@pytest.fixture
def site(db):
    return SiteFactory(domain="news.example.com")


@pytest.fixture
def key(site: Site) -> tuple[ApiKey, str]:
    """An active key with room for every request a test makes in one second."""
    api_key, secret = api_key_create(site=site, name="Coral Talk")
    api_key.rate_limit_per_second = 1000
    api_key.save(update_fields=["rate_limit_per_second"])
    return api_key, secret


@pytest.fixture
def secret(key: tuple[ApiKey, str]) -> str:
    return key[1]


@pytest.fixture
def post(client: Client, secret: str) -> Callable:
    """POST a JSON body (or raw bytes) to a Perspective path with the test key."""

    def send(path: str, body: object, *, key: str | None = secret, **extra):
        query = f"?key={key}" if key is not None else ""
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        return client.post(path + query, data, content_type="application/json", **extra)

    return send


@pytest.fixture
def served() -> set[str]:
    """The attributes the loaded models score: the tests never assume which labels exist."""
    return set(supported_attributes())
