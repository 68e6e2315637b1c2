"""The chaos suite's stack: a Redis server it owns (so it can kill it), a supervised worker and
beat on pytest-django's test database, and the live server as the web process.

Everything listens on loopback, on ports the OS picked; the stale age and the re-queue interval
are seconds, so the safety net acts within a test.
"""

from __future__ import annotations

import functools
import json
import os
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Q

from moderation.api.throttles import OutcomeThrottle
from moderation.models import Actor, Article, Comment, Site
from moderation.rules.models import SiteRules
from project import celery_app
from project.devstack import (
    LOOPBACK,
    WORKER_READY,
    DevstackError,
    Service,
    Supervisor,
    celery_beat,
    celery_worker,
    database_url,
    free_port,
    redis_answers,
    redis_server_executable,
)
from tests.e2e.conftest import _retarget

STALE_SECONDS = 10
REQUEUE_EVERY_SECONDS = 2
BEAT_LOCK_SECONDS = 6
# The longest any scenario waits for the last comment to be decided (a wait, not a target).
SETTLE_TIMEOUT_SECONDS = 240
LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): ", re.MULTILINE)


class ChaosRedis:
    """redis-server on a fixed free port, stopped and started again by the test."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://{LOOPBACK}:{self.port}/0"
        self.service: Service | None = None

    def start(self, *, persistent: bool = False, timeout: float = 15) -> None:
        persistence = ["--appendonly", "yes", "--appendfsync", "always"] if persistent else []
        self.service = Service(
            "redis",
            [
                str(redis_server_executable()),
                "--bind", LOOPBACK, "--port", str(self.port),
                "--save", "", "--appendonly", "no", *persistence,
                "--dir", str(self.workdir),
            ],
            log_path=self.workdir / "redis.log",
        )  # fmt: skip
        self.service.start(keep_log=True)
        self.service.wait_until(
            functools.partial(redis_answers, self.url), what="PONG", timeout=timeout
        )

    def kill(self) -> None:
        """kill -9: nothing is saved."""
        assert self.service is not None and self.service.pid is not None
        os.kill(self.service.pid, 9)
        self.service.stop()

    def shutdown(self) -> None:
        """SIGTERM: Redis writes its append-only file before it exits."""
        assert self.service is not None
        self.service.stop()

    @property
    def running(self) -> bool:
        return self.service is not None and self.service.running


@dataclass
class Stack:
    redis: ChaosRedis
    queue: str
    env: dict[str, str]
    logs: Path
    supervisor: Supervisor
    services: dict[str, Service] = field(default_factory=dict)

    def worker(self, name: str = "worker", *, wait: bool = True, **env: str) -> Service:
        worker = celery_worker(
            queue=self.queue,
            env={**self.env, **env},
            log_path=self.logs / f"{name}.log",
            name=name,
        )
        self.services[name] = worker
        self.supervisor.add(worker)
        worker.start()
        if wait:
            worker.wait_for_log(WORKER_READY, timeout=120)
        return worker

    def beat(self, name: str = "beat", *, supervised: bool = True) -> Service:
        beat = celery_beat(env=self.env, log_path=self.logs / f"{name}.log", name=name)
        self.services[name] = beat
        if supervised:
            self.supervisor.add(beat)
        beat.start()
        return beat

    def pool_pids(self, worker: Service) -> list[int]:
        import psutil

        assert worker.pid is not None
        return [child.pid for child in psutil.Process(worker.pid).children()]

    def wait_for_new_start(self, service: Service, old_pid: int | None, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while not (service.running and service.pid != old_pid):
            if time.monotonic() > deadline:
                raise DevstackError(f"{service.name} was not restarted:\n{service.log_tail()}")
            time.sleep(0.1)


@pytest.fixture
def chaos_stack(
    django_db_setup: None, transactional_db: None, tmp_path: Path, settings, monkeypatch
) -> Iterator[Stack]:
    """Redis (started by the scenario), a supervised worker and beat, and the live server's
    producer pointed at that Redis and a queue of the test's own."""
    redis = ChaosRedis(tmp_path)
    queue = f"chaos-{uuid.uuid4().hex[:10]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis.url,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        "MODERATION_STALE_PENDING_SECONDS": str(STALE_SECONDS),
        "MODERATION_REQUEUE_EVERY_SECONDS": str(REQUEUE_EVERY_SECONDS),
        "NOTIFY_OUTBOX_AFTER_SECONDS": "5",
        "BEAT_LOCK_TIMEOUT_SECONDS": str(BEAT_LOCK_SECONDS),
        "BEAT_MAX_LOOP_SECONDS": "1",
        "HEALTH_HEARTBEAT_SECONDS": "1",
        "MODERATION_MODEL_RETRY_SECONDS": "2",
    }
    # The web side (the live server, in this process): same Redis and queue, no throttle.
    settings.REDIS_URL = settings.CELERY_BROKER_URL = redis.url
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.HEALTH_HEARTBEAT_SECONDS = 1
    settings.HEALTH_BEAT_MAX_AGE_SECONDS = BEAT_LOCK_SECONDS
    settings.MONITORING_TOKEN = "chaos-token"
    monkeypatch.setitem(OutcomeThrottle.THROTTLE_RATES, "comment_submit", "1000000/minute")
    keys = ("broker_url", "task_default_queue", "task_always_eager", "task_publish_retry_policy")
    previous = {key: celery_app.conf[key] for key in keys}
    _retarget(
        celery_app,
        broker_url=redis.url,
        task_default_queue=queue,
        task_always_eager=False,
        # A submission during an outage gives up on the broker quickly; the comment is stored.
        task_publish_retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
    )
    supervisor = Supervisor(first_backoff=0.5, max_backoff=3.0)
    stack = Stack(redis=redis, queue=queue, env=env, logs=tmp_path, supervisor=supervisor)
    supervisor.start_thread(every=0.2)
    try:
        yield stack
    finally:
        supervisor.stop()
        if redis.service is not None:
            redis.service.stop()
        _retarget(celery_app, **previous)


@pytest.fixture
def article(transactional_db) -> Article:
    site = Site.objects.create(name="Chaos Gazette", domain=f"chaos-{uuid.uuid4().hex[:6]}.example")
    # One client sends the whole stream, with four texts: no flood limit, no campaign hold.
    SiteRules.objects.create(site=site, flood_per_minute=None, campaign_authors=None)
    return Article.objects.create(site=site, title="Faults", url="https://chaos.example/faults")


CLEAN_BODIES = [
    "Good reporting. Who inspects the prisons, and how often?",
    "The fee per prisoner seems low for what is promised; where do the numbers come from?",
    "I would like to read the agreement itself. Is it published anywhere?",
    "Free iPhone giveaway!!! click http://deals.example/win http://deals.example/free now $$$",
]


class Submitter(threading.Thread):
    """Posts comments to the live server, one after another, until stopped or done."""

    def __init__(self, url: str, *, count: int | None = None, every: float = 0.0) -> None:
        super().__init__(name="submitter", daemon=True)
        self.url, self.count, self.every = url, count, every
        self.accepted: list[int] = []
        self.refused: list[str] = []
        self.stopped = threading.Event()

    def run(self) -> None:
        n = 0
        while not self.stopped.is_set() and (self.count is None or n < self.count):
            body = {
                "author_name": f"Reader {n}",
                "author_email": f"reader{n}@example.org",
                "body": f"{CLEAN_BODIES[n % len(CLEAN_BODIES)]} ({n})",
            }
            request = urllib.request.Request(  # noqa: S310 - the live server's own URL
                self.url,
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                    if response.status == 202:
                        self.accepted.append(json.loads(response.read())["id"])
                    else:
                        self.refused.append(str(response.status))
            except (urllib.error.URLError, OSError) as error:
                self.refused.append(str(error))
            n += 1
            if self.every:
                time.sleep(self.every)

    def wait_for(self, accepted: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.accepted) < accepted and time.monotonic() < deadline and self.is_alive():
            time.sleep(0.05)

    def finish(self, timeout: float = 300) -> None:
        self.join(timeout)
        assert not self.is_alive(), "the submitter did not finish"


def comments_url(live_server, article: Article) -> str:
    return f"{live_server.url}/api/v1/articles/{article.pk}/comments/"


def pending_count(article: Article) -> int:
    return Comment.objects.filter(article=article, status=Comment.Status.PENDING).count()


def wait_until_none_pending(article: Article, timeout: float = SETTLE_TIMEOUT_SECONDS) -> float:
    """Seconds until no comment of the article is pending (or the timeout has passed)."""
    started = time.monotonic()
    while pending_count(article) and time.monotonic() - started < timeout:
        time.sleep(0.25)
    return time.monotonic() - started


def assert_each_decided_once(article: Article, accepted: list[int]) -> dict[str, int]:
    """None lost, none doubled, none pending: one system decision from pending per comment."""
    comments = Comment.objects.filter(article=article).annotate(
        system_decisions=Count(
            "events", filter=Q(events__actor=Actor.SYSTEM, events__from_status="pending")
        ),
        all_events=Count("events"),
    )
    stored = {c.pk: c for c in comments}
    assert len(accepted) == len(set(accepted))
    assert set(stored) == set(accepted), "a comment was lost, or one appeared unasked"
    pending = [pk for pk, c in stored.items() if c.status == Comment.Status.PENDING]
    assert pending == [], f"{len(pending)} comments left pending"
    doubled = {pk: c.system_decisions for pk, c in stored.items() if c.system_decisions != 1}
    assert doubled == {}, "comments without exactly one system decision"
    extra = {pk: c.all_events for pk, c in stored.items() if c.all_events != 1}
    assert extra == {}, "comments with more than their one decision"
    statuses: dict[str, int] = {}
    for comment in stored.values():
        statuses[comment.status] = statuses.get(comment.status, 0) + 1
    return statuses


def log_times(text: str, pattern: str) -> list[datetime]:
    """When each line matching pattern was logged (Celery's "[YYYY-mm-dd HH:MM:SS,mmm: ...")."""
    times = []
    for line in text.splitlines():
        if re.search(pattern, line):
            match = LOG_TIME.match(line)
            if match:
                times.append(datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f"))
    return times


def report(name: str, **figures: object) -> None:
    """One line per scenario in var/chaos-report.txt, which `make chaos` prints at the end."""
    from django.conf import settings

    line = f"CHAOS {name}: " + ", ".join(f"{k}={v}" for k, v in figures.items())
    print(line, flush=True)
    with (Path(settings.VAR_DIR) / "chaos-report.txt").open("a", encoding="utf-8") as out:
        out.write(line + "\n")
