"""/healthz and /readyz against a real Redis server (the embedded one, or REDIS_URL's)."""

import json
import time
import uuid
from datetime import timedelta

import pytest
import redis
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from moderation import scoring
from moderation.health import heartbeats
from moderation.models import Comment
from project.devstack import RedisServer
from tests.moderation.factories import CommentFactory

pytestmark = pytest.mark.django_db
TOKEN = "monitoring-token-for-tests"


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer.for_environment(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def live(settings, redis_server):
    """Settings pointing at the real Redis, a queue of this test's own, and a monitoring token."""
    settings.REDIS_URL = redis_server.url
    settings.CELERY_TASK_DEFAULT_QUEUE = f"health-{uuid.uuid4().hex[:10]}"
    settings.MONITORING_TOKEN = TOKEN
    settings.HEALTH_HEARTBEAT_SECONDS = 5
    workers, beat = heartbeats.workers_key(), heartbeats.beat_key()
    yield settings
    redis.Redis.from_url(redis_server.url).delete(workers, beat)


@pytest.fixture
def models_ready(monkeypatch):
    monkeypatch.setattr(
        scoring, "model_status", lambda: {"ready": True, "versions": {"spam": "spam-1"}}
    )


def _everything_running():
    heartbeats.worker_heartbeat_write()
    heartbeats.beat_heartbeat_write()


def test_healthz_is_public_and_says_ok_when_database_and_redis_answer(live):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": True, "redis": True}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_redis_is_gone(live):
    live.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] is False


def test_healthz_is_503_when_the_database_is_gone(live, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": False, "redis": True}


def test_readyz_gives_the_full_report_with_the_token(live, models_ready):
    _everything_running()
    CommentFactory()
    response = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200, response.json()
    report = response.json()
    assert report["status"] == "ready" and report["problems"] == []
    assert report["database"] is True and report["redis"] is True
    [worker] = report["workers"]
    assert worker["models"]["ready"] is True
    assert report["models"]["versions"] == {"spam": "spam-1"}
    assert report["beat"]["age_seconds"] < 5
    assert report["queue"] == {"name": live.CELERY_TASK_DEFAULT_QUEUE, "length": 0}
    assert report["pending"]["count"] == 1
    assert report["pending"]["oldest_age_seconds"] < 60
    assert report["notification_outbox"]["count"] == 0


def test_readyz_gives_others_the_bare_status(live, models_ready, moderator):
    _everything_running()
    for client, headers in [
        (Client(), {}),
        (Client(), {"HTTP_AUTHORIZATION": "Bearer wrong-token"}),
        (Client(), {"HTTP_X_MONITORING_TOKEN": "wrong-token"}),
    ]:
        response = client.get("/readyz", **headers)
        assert response.status_code == 200
        assert response.json() == {"status": "ready"}
    staff = Client()
    staff.force_login(moderator)
    assert "workers" in staff.get("/readyz").json()
    assert "workers" in Client().get("/readyz", HTTP_X_MONITORING_TOKEN=TOKEN).json()


def test_readyz_without_a_token_setting_refuses_every_token(live, models_ready):
    live.MONITORING_TOKEN = ""
    _everything_running()
    response = Client().get("/readyz", HTTP_AUTHORIZATION="Bearer ")
    assert response.json() == {"status": "ready"}


def test_readyz_is_503_without_workers_or_beat(live):
    response = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    assert set(response.json()["problems"]) == {"no worker heartbeat", "the beat never ran"}
    assert Client().get("/readyz").json() == {"status": "not ready"}


def test_readyz_is_503_when_a_worker_cannot_load_its_models(live, monkeypatch):
    monkeypatch.setattr(
        scoring, "model_status", lambda: {"ready": False, "versions": {}, "error": "not found"}
    )
    _everything_running()
    response = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    [problem] = response.json()["problems"]
    assert "models unavailable: not found" in problem


def test_readyz_drops_a_worker_whose_heartbeat_stopped_and_flags_a_silent_beat(live, models_ready):
    client = heartbeats.redis_client()
    old = json.dumps({"at": time.time() - 60, "pid": 1, "models": {"ready": True}})
    client.hset(heartbeats.workers_key(), "gone:1", old)
    client.set(heartbeats.beat_key(), json.dumps({"at": time.time() - 600, "pid": 2}))
    response = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    problems = response.json()["problems"]
    assert "no worker heartbeat" in problems
    assert any(p.startswith("the beat last ran 6") for p in problems)
    assert not client.hexists(heartbeats.workers_key(), "gone:1")


def test_readyz_is_503_when_a_comment_has_been_pending_too_long(live, models_ready):
    _everything_running()
    live.HEALTH_PENDING_MAX_AGE_SECONDS = 300
    comment = CommentFactory()
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    response = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 503
    # An hour, give or take the seconds a loaded machine takes between the update and the read.
    [problem] = response.json()["problems"]
    seconds = int(problem.removeprefix("a comment has been pending for ").removesuffix(" s"))
    assert 3600 <= seconds < 3660


def test_readyz_counts_the_queue(live, models_ready):
    _everything_running()
    heartbeats.redis_client().rpush(live.CELERY_TASK_DEFAULT_QUEUE, b"{}", b"{}")
    try:
        report = Client().get("/readyz", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").json()
    finally:
        heartbeats.redis_client().delete(live.CELERY_TASK_DEFAULT_QUEUE)
    assert report["queue"]["length"] == 2
