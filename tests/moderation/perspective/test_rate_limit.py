"""The per-key queries-per-second limit: 429 RESOURCE_EXHAUSTED past it, per key, per second."""

import itertools
import time
from types import SimpleNamespace

import pytest

from moderation.keys.services import api_key_create
from moderation.perspective import services
from tests.moderation.perspective.conftest import ANALYZE

pytestmark = pytest.mark.django_db

VALID = {
    "comment": {"text": "hello there"},
    "requestedAttributes": {"TOXICITY": {}},
    "languages": ["en"],
}


@pytest.fixture
def frozen_second(monkeypatch):
    """Every request falls in the same second, however slow the machine is."""
    clock = itertools.repeat(1_800_000_000.5)
    # Only the services module's clock: Django's own timing stays real.
    fake = SimpleNamespace(time=lambda: next(clock), monotonic=time.monotonic)
    monkeypatch.setattr(services, "time", fake)


def test_a_key_over_its_own_limit_gets_resource_exhausted(post, key, frozen_second):
    api_key, secret = key
    api_key.rate_limit_per_second = 3
    api_key.save()
    statuses = [post(ANALYZE, VALID, key=secret).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    body = post(ANALYZE, VALID, key=secret).json()
    assert body["error"]["code"] == 429 and body["error"]["status"] == "RESOURCE_EXHAUSTED"


def test_a_key_without_a_limit_uses_the_default(post, site, settings, frozen_second):
    settings.PERSPECTIVE_DEFAULT_QPS = 2
    _, secret = api_key_create(site=site, name="default limit")
    statuses = [post(ANALYZE, VALID, key=secret).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_each_key_has_its_own_budget(post, site, settings, frozen_second):
    settings.PERSPECTIVE_DEFAULT_QPS = 1
    _, first = api_key_create(site=site, name="one")
    _, second = api_key_create(site=site, name="two")
    assert post(ANALYZE, VALID, key=first).status_code == 200
    assert post(ANALYZE, VALID, key=first).status_code == 429
    assert post(ANALYZE, VALID, key=second).status_code == 200


def test_the_budget_renews_the_next_second(post, site, settings, monkeypatch):
    settings.PERSPECTIVE_DEFAULT_QPS = 1
    _, secret = api_key_create(site=site, name="one")
    now = [1_800_000_000.0]
    monkeypatch.setattr(
        services, "time", SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic)
    )
    assert post(ANALYZE, VALID, key=secret).status_code == 200
    assert post(ANALYZE, VALID, key=secret).status_code == 429
    now[0] += 1.0
    assert post(ANALYZE, VALID, key=secret).status_code == 200
