"""Heartbeats in Redis: each worker process and the beat say they are alive, and in what state.

Keys are per queue (one deployment's queue), so stacks that share a Redis server stay apart:
`moderation:health:<queue>:workers` (a hash, one field per worker process) and
`moderation:health:<queue>:beat`. Readers ignore entries older than their staleness limit.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import socket
import threading
import time
from typing import Any

import redis
from django.conf import settings

from moderation import scoring

logger = logging.getLogger(__name__)


@functools.cache
def _client(url: str) -> redis.Redis:
    # Short timeouts: a health check must answer quickly when Redis is gone.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def redis_client() -> redis.Redis:
    return _client(settings.REDIS_URL)


def _prefix() -> str:
    return f"moderation:health:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def workers_key() -> str:
    return f"{_prefix()}:workers"


def beat_key() -> str:
    return f"{_prefix()}:beat"


def process_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def worker_heartbeat_write() -> None:
    """This worker process is alive; with its models' state (loading them if not loaded yet)."""
    entry = {"at": time.time(), "pid": os.getpid(), "models": scoring.model_status()}
    redis_client().hset(workers_key(), process_id(), json.dumps(entry))


def worker_heartbeat_clear() -> None:
    redis_client().hdel(workers_key(), process_id())


def worker_heartbeats(*, max_age_seconds: float) -> list[dict[str, Any]]:
    """Live worker processes' heartbeats; entries older than max_age_seconds are dropped."""
    client = redis_client()
    now = time.time()
    live, dead = [], []
    for field, raw in client.hgetall(workers_key()).items():
        entry = json.loads(raw)
        age = now - float(entry.get("at", 0))
        if age > max_age_seconds:
            dead.append(field)
            continue
        worker_id = field.decode() if isinstance(field, bytes) else str(field)
        live.append({"id": worker_id, "age_seconds": round(age, 1), **entry})
    if dead:
        client.hdel(workers_key(), *dead)
    return sorted(live, key=lambda entry: entry["id"])


def beat_heartbeat_write() -> None:
    """The beat ticked just now (it holds the one-beat lock while it ticks)."""
    entry = {"at": time.time(), "pid": os.getpid(), "host": socket.gethostname()}
    redis_client().set(beat_key(), json.dumps(entry), ex=24 * 3600)


def beat_heartbeat() -> dict[str, Any] | None:
    raw = redis_client().get(beat_key())
    if raw is None:
        return None
    entry = json.loads(raw)
    return {**entry, "age_seconds": round(time.time() - float(entry["at"]), 1)}


class WorkerHeartbeat(threading.Thread):
    """A daemon thread in a worker process that writes its heartbeat every few seconds."""

    def __init__(self, every_seconds: float) -> None:
        super().__init__(name="health-heartbeat", daemon=True)
        self.every_seconds = every_seconds
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                worker_heartbeat_write()
            except redis.RedisError as error:
                logger.debug("Heartbeat not written: %s", error)
            self.stopped.wait(self.every_seconds)

    def stop(self) -> None:
        self.stopped.set()
