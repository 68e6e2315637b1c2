"""The service as the README's Production layout runs it, on loopback, for the HTTP suites.

gunicorn (`project.wsgi:application --preload`, N sync workers) and one Celery worker, both on
the configured PostgreSQL database and Redis, each a process of its own; the load comes from a
third (`moderation.bench.load`). Only the bench site's limits are lifted: the API's throttles
for the run (environment of the server) and the site's flood and duplicate rules (its row).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from django.conf import settings
from django.db import connection

from moderation.models import Article, Comment, Site
from moderation.rules.models import SiteRules
from project.devstack import (
    BASE_DIR,
    LOOPBACK,
    WORKER_READY,
    Service,
    database_url,
    free_port,
    port_accepts,
)

# Far above anything a run sends: the throttles still count (their cache round trips are part
# of every request's cost), they just never refuse.
RAISED_RATE = "1000000/minute"
RAISED_THROTTLES = (
    "COMMENT_SUBMIT_RATE",
    "COMMENT_INVALID_SUBMIT_RATE",
    "PUBLIC_READ_RATE",
    "STATUS_POLL_RATE",
    "STATUS_POLL_MISS_RATE",
)


def postgresql_refusal(suite_name: str) -> str | None:
    """Why suite_name may not run on the configured database, or None on PostgreSQL."""
    if connection.vendor == "postgresql":
        return None
    return (
        f"{suite_name} skipped: it fills the configured database and measures the production "
        f"layout, so it runs on PostgreSQL only (this is {connection.vendor}). Point "
        "DATABASE_URL at a PostgreSQL database of its own, e.g. "
        "postgres://postgres@127.0.0.1:5432/bench."
    )


@dataclass(frozen=True)
class BenchSite:
    site: Site
    article: Article


def bench_site_create(*, tag: str) -> BenchSite:
    """A site of the run's own, with the per-site flood and duplicate rules lifted (the load
    comes from one address, and sample texts repeat); every other house rule as shipped."""
    site = Site.objects.create(name=f"Bench {tag}", domain=f"bench-{tag}.localhost")
    SiteRules.objects.create(site=site, flood_per_minute=None, duplicate_minutes=None)
    article = Article.objects.create(
        site=site,
        external_id=f"bench-{tag}",
        title=f"Bench article {tag}",
        url=f"https://bench-{tag}.localhost/article",
    )
    return BenchSite(site=site, article=article)


def server_env(*, queue: str, workdir: Path) -> dict[str, str]:
    """Production settings (DEBUG off, Redis cache) on the configured database and Redis,
    without TLS (plain HTTP on loopback), with the API's throttles raised for the run."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_URL": os.environ.get("CACHE_URL", settings.REDIS_URL),
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "VAR_DIR": str(workdir),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": LOOPBACK,
        "DJANGO_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(dict.fromkeys(RAISED_THROTTLES, RAISED_RATE))
    return env


@dataclass
class Stack:
    base_url: str
    web: Service
    worker: Service
    workdir: Path


@contextmanager
def production_stack(*, web_workers: int, worker_concurrency: int) -> Iterator[Stack]:
    """gunicorn and a Celery worker as deploy/Procfile starts them; stopped on the way out."""
    queue = f"bench-{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="bench-stack-") as tmp:
        workdir = Path(tmp)
        env = server_env(queue=queue, workdir=workdir)
        port = free_port()
        web_command = [
            sys.executable, "-m", "gunicorn", "project.wsgi:application",
            "--bind", f"{LOOPBACK}:{port}",
            "--workers", str(web_workers),
            "--preload", "--timeout", "30", "--graceful-timeout", "30",
            "--access-logfile", "-",
        ]  # fmt: skip
        worker_command = [
            sys.executable, "-m", "celery", "-A", "project", "worker",
            "--loglevel", "info",
            "--queues", queue,
            "--concurrency", str(worker_concurrency),
            "--hostname", f"{queue}@%h",
            "--without-gossip", "--without-mingle",
        ]  # fmt: skip
        web = Service("gunicorn", web_command, env=env, log_path=workdir / "gunicorn.log")
        worker = Service("worker", worker_command, env=env, log_path=workdir / "worker.log")
        try:
            worker.start()
            web.start()
            web.wait_until(lambda: port_accepts(LOOPBACK, port), what="listening", timeout=120)
            worker.wait_for_log(WORKER_READY, timeout=120)
            yield Stack(f"http://{LOOPBACK}:{port}", web, worker, workdir)
        finally:
            web.stop()
            worker.stop()


def cpu_seconds(service: Service) -> float:
    """CPU time used so far by a service and its children (gunicorn's or Celery's workers)."""
    if service.process is None:
        return 0.0
    try:
        main = psutil.Process(service.process.pid)
        processes = [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass
class CpuMeter:
    """CPU seconds the web server and the worker used between start() and stop()."""

    stack: Stack
    web: float = 0.0
    worker: float = 0.0

    def start(self) -> None:
        self.web, self.worker = -cpu_seconds(self.stack.web), -cpu_seconds(self.stack.worker)

    def stop(self) -> None:
        self.web += cpu_seconds(self.stack.web)
        self.worker += cpu_seconds(self.stack.worker)


def run_load(
    *,
    url: str,
    kind: str,
    rate: float,
    duration: float,
    concurrency: int = 1,
    saturate_seconds: float = 0.0,
    record: Path | None = None,
) -> dict:
    """Run moderation.bench.load in a process of its own; its JSON result."""
    command = [
        sys.executable, "-m", "moderation.bench.load",
        "--url", url,
        "--kind", kind,
        "--rate", str(rate),
        "--duration", str(duration),
        "--concurrency", str(concurrency),
        "--saturate-seconds", str(saturate_seconds),
    ]  # fmt: skip
    if record is not None:
        command += ["--record", str(record)]
    done = subprocess.run(  # noqa: S603 - our own load generator, loopback only
        command,
        cwd=BASE_DIR,
        check=True,
        text=True,
        capture_output=True,
        timeout=duration + saturate_seconds + 180,
    )
    return json.loads(done.stdout)


def pending_count(article: Article) -> int:
    return Comment.objects.filter(article=article, status=Comment.Status.PENDING).count()


def wait_for_decisions(article: Article, *, grace: float) -> tuple[int, float]:
    """Poll until no comment of the article is pending or grace seconds pass: (left, waited)."""
    started = time.monotonic()
    left = pending_count(article)
    while left and time.monotonic() - started < grace:
        time.sleep(0.25)
        left = pending_count(article)
    return left, time.monotonic() - started
