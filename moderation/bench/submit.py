"""The `submit-profile` suite: the web's CPU time per comment submission, in process.

The api suite measures the web server's CPU per submission from outside (gunicorn's processes),
where the machine's load and the other processes blur what one change earns. This suite sends
the same POSTs (`moderation.bench.load.comment_body`, the bench site with its flood and duplicate
rules off, the throttles counting but raised) through Django's WSGI handler in this process, as
gunicorn calls it: the middleware, DRF, the service, the INSERT on PostgreSQL, the throttles in
Redis and the scoring message to a queue of its own (emptied afterwards; no worker reads it).
It prints the CPU time per submission (robust to the machine's load, unlike wall time), the
queries per submission, and a cProfile of a second run by stage and by function.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import TextIOBase
from typing import Any
from unittest import mock

import redis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import override_settings
from rest_framework.throttling import SimpleRateThrottle

from ml.bench import sample_texts
from moderation.bench.api import skipped
from moderation.bench.load import comment_body
from moderation.bench.profile import Queries, stage_seconds
from moderation.bench.report import Row
from moderation.bench.stack import RAISED_RATE, bench_site_create
from moderation.bench.suites import BenchOptions, suite
from project import celery_app

WARM_UP = 30
# Stage -> the functions whose cumulative time it is (module path suffix, function name).
STAGES: dict[str, list[tuple[str, str]]] = {
    "the whole request (WSGI handler)": [("django/core/handlers/wsgi.py", "__call__")],
    "DRF dispatch (view, throttles, validation, service)": [
        ("rest_framework/views.py", "dispatch")
    ],
    "throttles (cache reads and writes)": [
        ("moderation/api/throttles.py", "allow_request"),
        ("moderation/api/throttles.py", "throttle_success"),
    ],
    "input validation (serializer)": [("rest_framework/serializers.py", "is_valid")],
    "service comment_submit": [("moderation/services.py", "comment_submit")],
    "  reads before the INSERT (article, site, rules, listeners)": [
        ("moderation/selectors.py", "article_for_submission"),
        ("moderation/notify/services.py", "comment_created_heard"),
        # Before issue 17's cut: three queries (`first()` twice, then the webhook endpoints).
        ("django/db/models/query.py", "first"),
        ("moderation/notify/services.py", "comment_created_enqueue"),
    ],
    "  the INSERT (Model.save)": [("django/db/models/base.py", "save")],
    "  the scoring message (Celery publish)": [("celery/app/task.py", "delay")],
    "queries (database driver)": [("psycopg/cursor.py", "execute")],
}


def _environ(path: str, body: bytes) -> dict[str, Any]:
    """A POST as gunicorn hands it to Django (plain HTTP on loopback, no cookies)."""
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost:8000",
        "HTTP_USER_AGENT": "bench/submit-profile",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


@contextmanager
def _as_the_server_runs() -> Iterator[str]:
    """The api suite's server settings (its cache in Redis, plain HTTP: DJANGO_HTTPS=0), the
    throttles raised, and a queue of its own; yields the queue's name."""
    queue = f"bench-submit-{secrets.token_hex(4)}"
    redis_cache = {
        "default": {"BACKEND": "project.cache.RedisCache", "LOCATION": settings.REDIS_URL}
    }
    raised = dict.fromkeys(SimpleRateThrottle.THROTTLE_RATES, RAISED_RATE)
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with (
            override_settings(
                CACHES=redis_cache,
                SECURE_SSL_REDIRECT=False,
                SECURE_HSTS_SECONDS=0,
                SESSION_COOKIE_SECURE=False,
                CSRF_COOKIE_SECURE=False,
            ),
            mock.patch.dict(SimpleRateThrottle.THROTTLE_RATES, raised),
        ):
            yield queue
    finally:
        celery_app.conf.task_default_queue = previous_queue
        redis.Redis.from_url(settings.REDIS_URL).delete(queue)


@suite("submit-profile")
def run_submit_profile(options: BenchOptions, out: TextIOBase) -> list[Row]:
    if (refused := skipped("submit-profile", out)) is not None:
        return refused
    n = options.submissions
    bench = bench_site_create(tag=secrets.token_hex(4))
    path = f"/api/v1/articles/{bench.article.pk}/comments/"
    texts = [t for t in sample_texts(2 * n + WARM_UP + 100, seed=1) if t.strip()]
    statuses: dict[int, int] = {}

    def start_response(
        status: str, _headers: list, _exc_info: Any = None
    ) -> Callable[[bytes], object]:
        code = int(status.split()[0])
        statuses[code] = statuses.get(code, 0) + 1
        return len  # the write() callable of WSGI; Django's handler never calls it

    handler: WSGIHandler | None = None

    def submit(count: int, offset: int) -> None:
        assert handler is not None
        for i in range(offset, offset + count):
            body = comment_body(texts[i % len(texts)], i)
            answer = handler(_environ(path, body), start_response)
            b"".join(answer)
            answer.close()  # as gunicorn does: request_finished (connections' checks, caches)

    queries = Queries()
    with _as_the_server_runs(), connection.execute_wrapper(queries):
        handler = WSGIHandler()  # its middleware reads the settings above
        submit(WARM_UP, 0)  # imports, URL resolver, connections, prepared statements
        warm_queries = queries.count
        cpu, wall = time.process_time(), time.perf_counter()
        submit(n, WARM_UP)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        measured_queries = queries.count - warm_queries
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        submit(n, WARM_UP + n)
        profiler.disable()
    accepted = statuses.get(202, 0)
    if accepted != 2 * n + WARM_UP:
        raise RuntimeError(f"submit-profile: not every POST was accepted: {statuses}")
    cpu_ms, wall_ms = cpu / n * 1000, wall / n * 1000
    out.write(
        f"submit-profile: {n} POSTs to /api/v1/articles/<id>/comments/ through Django's WSGI "
        "handler in this process (PostgreSQL, throttles in Redis, the scoring message to a queue "
        f"of its own); answers {dict(sorted(statuses.items()))} ({accepted} accepted of "
        f"{2 * n + WARM_UP})\n"
        f"  CPU {cpu_ms:.2f} ms per submission (wall {wall_ms:.2f} ms), "
        f"{measured_queries / n:.1f} queries per submission\n"
    )
    stats = pstats.Stats(profiler)
    profiled = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    out.write(
        f"  cProfile of another {n} (CPU time; stages overlap where one calls another; "
        "profiling slows each call, so read shares, not times)\n"
        "  stage                                                        ms/sub   share\n"
    )
    for stage, seconds in stage_seconds(stats, STAGES).items():
        out.write(f"  {stage:<60} {seconds * 1000 / n:7.3f} {seconds / profiled:6.0%}\n")
    out.write("  top 25 functions by cumulative time:\n")
    listing = io.StringIO()
    pstats.Stats(profiler, stream=listing).sort_stats("cumulative").print_stats(25)
    out.write("".join(f"    {line}\n" for line in listing.getvalue().splitlines()[6:]))
    return [
        Row(
            "submit-profile",
            "CPU per submission, in process (WSGI handler to the answer)",
            f"{cpu_ms:.2f} ms, {measured_queries / n:.1f} queries",
        )
    ]
