"""Real services for end-to-end tests: a Redis server, a Celery worker process and a live server.

The worker is a separate process that opens pytest-django's test database; the live server runs
in this process, so its Celery producer is pointed at the worker's Redis and queue per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis
from celery import Celery
from django.db import connection
from kombu import Connection

from project import celery_app
from project.devstack import WORKER_READY, RedisServer, Service, celery_worker, database_url


@pytest.fixture(scope="session")
def e2e_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """The server at REDIS_URL when it is set (as in CI), else the embedded one on a free port."""
    server = RedisServer.for_environment(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def e2e_queue(e2e_redis: RedisServer) -> Iterator[str]:
    """A queue of this run's own, so runs sharing one Redis never take each other's tasks."""
    queue = f"e2e-{uuid.uuid4().hex[:12]}"
    yield queue
    # A shared server outlives the run: drop the queue and the bindings Celery made for it.
    client = redis.Redis.from_url(e2e_redis.url)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


@pytest.fixture(scope="session")
def celery_worker_process(
    django_db_setup: None,
    e2e_redis: RedisServer,
    e2e_queue: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Service]:
    """A real `celery worker` process on the test database; stopped before that is dropped."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        # connection.settings_dict names the test database once django_db_setup created it.
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": e2e_redis.url,
        "CELERY_QUEUE": e2e_queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
        # The webhook tests' receiver listens on 127.0.0.1 in the test process.
        "WEBHOOKS_ALLOW_LOOPBACK": "1",
    }
    worker = celery_worker(
        queue=e2e_queue, env=env, log_path=tmp_path_factory.mktemp("worker") / "worker.log"
    )
    worker.start()
    try:
        worker.wait_for_log(WORKER_READY, timeout=120)
        yield worker
    finally:
        worker.stop()


def _retarget(app: Celery, **conf: object) -> None:
    """Change the app's broker settings and drop what it cached from the old ones."""
    app.conf.update(conf)
    # Not closed: kombu keeps one pool per broker URL for the whole process and hands the same
    # one out again when the app is pointed back at that URL.
    app._pool = None
    # The AMQP helper caches queues, the router and the producer pool; it is rebuilt on demand.
    app.__dict__.pop("amqp", None)


@pytest.fixture
def celery_producer(settings, e2e_redis: RedisServer, e2e_queue: str) -> Iterator[Celery]:
    """This process (the live server's) sends tasks to the e2e Redis and queue, not eagerly."""
    keys = ("broker_url", "task_default_queue", "task_always_eager")
    previous = {key: celery_app.conf[key] for key in keys}
    # Celery read its settings when it was configured; these are for code that reads them itself.
    settings.REDIS_URL = settings.CELERY_BROKER_URL = e2e_redis.url
    settings.CELERY_TASK_DEFAULT_QUEUE = e2e_queue
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _retarget(
        celery_app, broker_url=e2e_redis.url, task_default_queue=e2e_queue, task_always_eager=False
    )
    # Check that the override reached the producer, not only the settings.
    route = celery_app.amqp.router.route({}, "moderation.tasks.score_comment")
    assert route["queue"].name == e2e_queue
    with celery_app.pool.acquire(block=True) as broker_connection:
        assert broker_connection.as_uri() == Connection(e2e_redis.url).as_uri()
    yield celery_app
    _retarget(celery_app, **previous)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    worker = getattr(item, "funcargs", {}).get("celery_worker_process")
    if report.failed and isinstance(worker, Service):
        report.sections.append(("celery worker log (last lines)", worker.log_tail(200)))
    return report
