"""Hooks into the Celery worker's processes: each pool process keeps a heartbeat in Redis."""

from __future__ import annotations

import contextlib

import redis
from celery.signals import worker_process_init, worker_process_shutdown
from django.conf import settings

from moderation.health.heartbeats import WorkerHeartbeat, worker_heartbeat_clear

_heartbeat: WorkerHeartbeat | None = None


@worker_process_init.connect
def heartbeat_start(**_kwargs: object) -> None:
    """Start this pool process's heartbeat (it also reports whether its models loaded)."""
    global _heartbeat
    _heartbeat = WorkerHeartbeat(settings.HEALTH_HEARTBEAT_SECONDS)
    _heartbeat.start()


@worker_process_shutdown.connect
def heartbeat_stop(**_kwargs: object) -> None:
    if _heartbeat is not None:
        _heartbeat.stop()
    with contextlib.suppress(redis.RedisError):
        worker_heartbeat_clear()
