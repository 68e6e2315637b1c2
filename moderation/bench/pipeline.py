"""The `pipeline` suite: decisions per second of real Celery workers on a backlog, figures printed.

PostgreSQL only: the figure is the production layout's (SQLite has no row locks, so its
batches write one at a time and the number would say nothing about a deployment). It fills a
bench site with a backlog of pending comments (the demo site's settings: held emails to a
moderator, no webhook endpoint; the per-site flood and duplicate limits lifted, which act at
submit time only), queues scoring on a queue of its own as the submissions would (coalesced:
the first comment's message, then each full batch queues the next), starts ONE real
worker process (concurrency 1) against Redis and measures until every comment is decided, then
the same with TWO worker processes. Each run checks that every comment has exactly one system
event.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from io import TextIOBase
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count, Max, Min

from ml.bench import sample_texts
from moderation import queue as score_queue
from moderation.bench.stack import cpu_seconds
from moderation.bench.suites import BenchOptions, suite
from moderation.models import Actor, Article, Comment, ModerationEvent, Site
from moderation.notify.models import NotificationOutbox, SiteNotificationSettings
from moderation.rules.models import SiteRules
from project import celery_app
from project.devstack import WORKER_READY, RedisServer, Service, celery_worker, database_url

BENCH_DOMAIN = "pipeline-bench.localhost"
SCORE_COMMENT = score_queue.SCORE_COMMENT
AUTHORS = 200  # distinct commenters in the backlog
DECIDE_TIMEOUT = 600.0
# A scoring task's end in a worker's log (Celery's INFO line), to count the messages it ran.
SCORING_RUN = re.compile(rf"Task {re.escape(SCORE_COMMENT)}\[[^\]]+\] succeeded")


def postgres_only(out: TextIOBase, name: str) -> bool:
    if connection.vendor == "postgresql":
        return True
    out.write(
        f"{name}: skipped: it measures the production layout on PostgreSQL (row locks, "
        "SKIP LOCKED); set DATABASE_URL=postgres://... to run it.\n"
    )
    return False


def bench_site() -> Site:
    """The bench site, set up as the demo site ships, without the submit-time limits."""
    site, _ = Site.objects.get_or_create(
        domain=BENCH_DOMAIN, defaults={"name": "Pipeline bench (synthetic comments)"}
    )
    SiteNotificationSettings.objects.get_or_create(
        site=site, defaults={"moderator_emails": "moderators@demo.localhost"}
    )
    SiteRules.objects.update_or_create(
        site=site, defaults={"flood_per_minute": None, "duplicate_minutes": None}
    )
    return site


def backlog_create(site: Site, count: int, *, seed: int) -> list[int]:
    """count pending comments on a fresh article of the bench site, as submissions store them."""
    article = Article.objects.create(
        site=site, title=f"Pipeline bench {uuid.uuid4().hex[:8]}", url=""
    )
    comments = [
        Comment(
            article=article,
            author_name=f"Reader {index % AUTHORS}",
            author_email=f"reader{index % AUTHORS}@bench.example",
            body=text[: Comment.BODY_MAX_LENGTH],
            status_token_hash=Comment.hash_status_token(uuid.uuid4().hex),
        )
        for index, text in enumerate(sample_texts(count, seed=seed))
    ]
    return [c.pk for c in Comment.objects.bulk_create(comments)]


def worker_env(redis_url: str, queue: str) -> dict[str, str]:
    """A production worker's environment (debug off) on this database and that queue."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or "bench-only-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": os.environ.get("DJANGO_ALLOWED_HOSTS") or "localhost",
        # No mail server here: the held emails are built and "sent" in memory.
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "EMAIL_URL": "",
        "DATABASE_URL": database_url(connection.settings_dict),
        "REDIS_URL": redis_url,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PYTHONUNBUFFERED": "1",
    }


@contextmanager
def bench_redis(workdir: Path) -> Iterator[RedisServer]:
    server = RedisServer.for_environment(workdir)
    try:
        yield server
    finally:
        server.stop()


def messages_send(redis_url: str, queue: str, comment_ids: list[int]) -> int:
    """Queue scoring as the comments' submissions do (moderation.queue.comment_score_send): a
    message only where the scoring key was not armed already; how many were sent."""
    client = redis.Redis.from_url(redis_url)
    key = score_queue.score_armed_key(queue)
    sent = 0
    with celery_app.connection_for_write(redis_url) as broker:
        for comment_id in comment_ids:
            if client.set(key, "1", nx=True, ex=score_queue.SCORE_ARMED_SECONDS):
                celery_app.send_task(
                    SCORE_COMMENT, args=[comment_id], queue=queue, connection=broker
                )
                sent += 1
    client.close()
    return sent


def _queue_clear(redis_url: str, queue: str) -> None:
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"*{queue}*"):
        client.delete(key)
    client.close()


def run_workers(
    *, comment_ids: list[int], workers: int, redis_url: str, workdir: Path
) -> dict[str, float]:
    """Start the workers, queue the backlog once they are ready; figures once all is decided."""
    queue = f"bench-{uuid.uuid4().hex[:10]}"
    env = worker_env(redis_url, queue)
    pending = Comment.objects.filter(pk__in=comment_ids, status=Comment.Status.PENDING)
    with ExitStack() as stack:
        started: list[Service] = []
        for index in range(workers):
            worker = celery_worker(
                queue=queue, env=env, log_path=workdir / f"{queue}-{index}.log", name=f"w{index}"
            )
            worker.start()
            stack.callback(worker.stop)
            started.append(worker)
        for worker in started:
            worker.wait_for_log(WORKER_READY, timeout=120)
        cpu = sum(cpu_seconds(worker) for worker in started)
        start = time.monotonic()
        sent = messages_send(redis_url, queue, comment_ids)
        deadline = start + DECIDE_TIMEOUT
        while pending.exists():
            if time.monotonic() > deadline or not all(w.running for w in started):
                raise RuntimeError(
                    "The backlog was not decided; worker log:\n" + started[0].log_tail(40)
                )
            time.sleep(0.05)
        wall = time.monotonic() - start
        client = redis.Redis.from_url(redis_url)
        drained_deadline = time.monotonic() + 120
        while client.llen(queue) and time.monotonic() < drained_deadline:
            time.sleep(0.05)
        drained = time.monotonic() - start
        client.close()
        time.sleep(0.5)  # the notification tasks of the last batch
        cpu = sum(cpu_seconds(worker) for worker in started) - cpu
    scoring_runs = sum(len(SCORING_RUN.findall(worker.log_text())) for worker in started)
    _queue_clear(redis_url, queue)
    return {
        "wall": wall,
        "drained": drained,
        "sent": sent,
        "scoring_runs": scoring_runs,
        "cpu_ms": cpu * 1000 / len(comment_ids),
        **_decision_figures(comment_ids),
    }


def _decision_figures(comment_ids: list[int]) -> dict[str, float]:
    """Steady decisions/s from the decisions' own times (a batch writes one time for all):
    the comments decided after the first batch, over the time from it to the last one."""
    comments = Comment.objects.filter(pk__in=comment_ids)
    span = comments.aggregate(first=Min("decided_at"), last=Max("decided_at"))
    first_batch = comments.filter(decided_at=span["first"]).count()
    seconds = (span["last"] - span["first"]).total_seconds()
    batches = comments.values("decided_at").distinct().count()
    events = (
        ModerationEvent.objects.filter(comment_id__in=comment_ids, actor=Actor.SYSTEM)
        .values("comment_id")
        .annotate(n=Count("id"))
    )
    per_comment = [row["n"] for row in events]
    exactly_once = len(per_comment) == len(comment_ids) and set(per_comment) == {1}
    return {
        "rate": (len(comment_ids) - first_batch) / seconds if seconds > 0 else float("nan"),
        "batches": batches,
        "exactly_once": float(exactly_once),
        "held": comments.filter(status=Comment.Status.HELD).count(),
        "rejected": comments.filter(status=Comment.Status.REJECTED).count(),
    }


@suite("pipeline")
def run_pipeline(options: BenchOptions, out: TextIOBase) -> None:
    if not postgres_only(out, "pipeline"):
        return
    count = options.backlog
    site = bench_site()
    out.write(
        f"pipeline: a backlog of {count} pending comments (texts: ml.bench.sample_texts), "
        f"MODERATION_SCORE_BATCH={settings.MODERATION_SCORE_BATCH}, queued as submissions "
        "queue them (a message only where none is armed), "
        f"load average before: {os.getloadavg()[0]:.2f}\n"
    )
    rows = []
    logs = Path(settings.BASE_DIR) / "var" / "bench-pipeline"
    logs.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="pipeline-bench-") as folder,
        bench_redis(Path(folder)) as server,
    ):
        for workers in (1, 2):
            ids = backlog_create(site, count, seed=workers)
            figures = run_workers(
                comment_ids=ids, workers=workers, redis_url=server.url, workdir=logs
            )
            rows.append((workers, figures, os.getloadavg()[0]))
    outbox = NotificationOutbox.objects.count()
    out.write(
        "  workers | decisions/s (steady) | per worker | queued to decided | queue drained "
        "| batches | scoring messages (sent + queued by batches) | worker CPU a decision "
        "| held | rejected | one system event each | load\n"
    )
    for workers, f, load in rows:
        messages = (
            f"{f['scoring_runs']:.0f} ({f['sent']:.0f} + {f['scoring_runs'] - f['sent']:.0f})"
        )
        out.write(
            f"  {workers:7d} | {f['rate']:20.0f} | {f['rate'] / workers:10.0f} | "
            f"{f['wall']:15.1f} s | {f['drained']:11.1f} s | {f['batches']:7.0f} | "
            f"{messages:>44} | {f['cpu_ms']:18.2f} ms | "
            f"{f['held']:4.0f} | {f['rejected']:8.0f} | {'yes' if f['exactly_once'] else 'NO':>21} "
            f"| {load:.2f}\n"
        )
    out.write(
        "  steady: comments decided after the first batch / time from the first batch's write "
        "to the last's; the backlog is queued once the workers are ready; worker CPU: user and "
        "system time of the workers' processes from then until the queue is drained.\n"
        f"  outbox rows left: {outbox}; the workers' logs: {logs}\n"
    )
    if not all(f["exactly_once"] for _, f, _ in rows):
        raise RuntimeError("A comment has no system event, or more than one.")
