"""What /healthz and /readyz report: this process's reach, and the whole pipeline's state."""

from __future__ import annotations

import hmac
import logging
from typing import Any

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone

from moderation.health import heartbeats
from moderation.models import Comment
from moderation.notify.models import NotificationOutbox
from moderation.selectors import held_unscored_comments

logger = logging.getLogger(__name__)

# Kombu's Redis transport keeps a queue's messages in one list per priority step.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health: the database is unreachable: %s", error)
        return False
    return True


def redis_reachable() -> bool:
    try:
        return bool(heartbeats.redis_client().ping())
    except redis.RedisError as error:
        logger.warning("Health: Redis is unreachable: %s", error)
        return False


def liveness() -> dict[str, Any]:
    """For a load balancer: whether this web process reaches its database and Redis."""
    checks = {"database": database_reachable(), "redis": redis_reachable()}
    return {"status": "ok" if all(checks.values()) else "unavailable", **checks}


def monitoring_token_matches(token: str) -> bool:
    expected = settings.MONITORING_TOKEN
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _age_seconds(moment: Any) -> float | None:
    return None if moment is None else round((timezone.now() - moment).total_seconds(), 1)


def _queue_length(client: redis.Redis) -> int:
    name = settings.CELERY_TASK_DEFAULT_QUEUE
    with client.pipeline() as pipe:
        for suffix in _PRIORITY_SUFFIXES:
            pipe.llen(name + suffix)
        return sum(pipe.execute())


def _pipeline_from_redis(report: dict[str, Any], problems: list[str]) -> None:
    interval = settings.HEALTH_HEARTBEAT_SECONDS
    workers = heartbeats.worker_heartbeats(max_age_seconds=3 * interval)
    report["workers"] = workers
    if not workers:
        problems.append("no worker heartbeat")
    versions: dict[str, str] = {}
    for worker in workers:
        models = worker.get("models", {})
        if models.get("ready"):
            versions.update(models.get("versions", {}))
        else:
            problems.append(f"worker {worker['id']}: models unavailable: {models.get('error')}")
    report["models"] = {"versions": versions}
    beat = heartbeats.beat_heartbeat()
    report["beat"] = beat
    if beat is None:
        problems.append("the beat never ran")
    elif beat["age_seconds"] > settings.HEALTH_BEAT_MAX_AGE_SECONDS:
        problems.append(f"the beat last ran {beat['age_seconds']:.0f} s ago")
    report["queue"] = {
        "name": settings.CELERY_TASK_DEFAULT_QUEUE,
        "length": _queue_length(heartbeats.redis_client()),
    }


def _pipeline_from_database(report: dict[str, Any], problems: list[str]) -> None:
    pending = Comment.objects.filter(status=Comment.Status.PENDING).aggregate(
        count=Count("id"), oldest=Min("created_at")
    )
    oldest_pending = _age_seconds(pending["oldest"])
    report["pending"] = {"count": pending["count"], "oldest_age_seconds": oldest_pending}
    if oldest_pending is not None and oldest_pending > settings.HEALTH_PENDING_MAX_AGE_SECONDS:
        problems.append(f"a comment has been pending for {oldest_pending:.0f} s")
    report["held_classifier_unavailable"] = held_unscored_comments().count()
    outbox = NotificationOutbox.objects.aggregate(count=Count("id"), oldest=Min("created_at"))
    oldest_outbox = _age_seconds(outbox["oldest"])
    report["notification_outbox"] = {"count": outbox["count"], "oldest_age_seconds": oldest_outbox}
    if oldest_outbox is not None and oldest_outbox > settings.HEALTH_PENDING_MAX_AGE_SECONDS:
        problems.append(f"a notification has waited in the outbox for {oldest_outbox:.0f} s")


def readiness() -> dict[str, Any]:
    """For a monitor: database, Redis, workers, beat, models, queue, pending and outbox ages."""
    problems: list[str] = []
    report: dict[str, Any] = {"database": database_reachable(), "redis": redis_reachable()}
    if report["redis"]:
        try:
            _pipeline_from_redis(report, problems)
        except redis.RedisError as error:
            report["redis"] = False
            logger.warning("Health: Redis failed mid-report: %s", error)
    if report["database"]:
        try:
            _pipeline_from_database(report, problems)
        except DatabaseError as error:
            report["database"] = False
            logger.warning("Health: the database failed mid-report: %s", error)
    if not report["database"]:
        problems.insert(0, "the database is unreachable")
    if not report["redis"]:
        problems.insert(0, "Redis is unreachable")
    return {"status": "not ready" if problems else "ready", "problems": problems, **report}
