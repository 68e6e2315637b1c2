"""Server time of the queue page with many comments in the configured database (PostgreSQL).

Creates a site of its own with `comments` comments (bulk inserts), renders the queue through
Django's test Client as a moderator, prints p50/p99 per page kind, and deletes everything it made.
"""

from __future__ import annotations

import os
import random
import secrets
import statistics
import time
from datetime import timedelta
from io import TextIOBase
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from moderation.authors.hashing import comment_ip_hashes
from moderation.bench.suites import BenchOptions, suite
from moderation.models import Article, Comment, Site

Status = Comment.Status
TARGET_MS = 300.0
BATCH = 5000
# What share of comments ends in each status: roughly what a busy site sees.
STATUS_WEIGHTS = {Status.APPROVED: 60, Status.HELD: 20, Status.REJECTED: 15, Status.PENDING: 5}
PAGES: dict[str, dict[str, str | int]] = {
    "held, 25 a page (the default view)": {},
    "held, 100 a page": {"per_page": 100},
    "all statuses, 25 a page": {"status": "all"},
    "held, search by e-mail": {"q": "author17@"},
    "held, label and score band": {"label": "toxicity", "band": "medium"},
}


class BenchRefused(Exception):
    """The configured database is not one this bench may fill."""


def _comments(site_articles: list[Article], count: int, rng: random.Random):
    now = timezone.now()
    statuses = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=count)
    token_hash = Comment.hash_status_token("bench")
    for i, status in enumerate(statuses):
        spam, toxicity = rng.betavariate(1.2, 4), rng.betavariate(1.2, 5)
        scored = status != Status.PENDING
        body = f"Bench comment {i}: who inspects the prisons, and how often? " * rng.randint(1, 3)
        address = f"10.{(i // 65536) % 256}.{(i // 256) % 256}.{i % 256 % 200}"
        # The hashes too: the queue's history by address matches ip_hash, as in production.
        ip_hash, ip_network_hash = comment_ip_hashes(address)
        yield Comment(
            article=site_articles[i % len(site_articles)],
            author_name=f"Author {i % 5000}",
            author_email=f"author{i % 5000}@bench.example",
            body=body,
            ip_address=address,
            ip_hash=ip_hash,
            ip_network_hash=ip_network_hash,
            status=status,
            status_token_hash=token_hash,
            created_at=now - timedelta(minutes=rng.randint(0, 60 * 24 * 30)),
            spam_score=spam if scored else None,
            toxicity_score=toxicity if scored else None,
            scores={"spam": spam, "toxicity": toxicity, "insult": toxicity * 0.7} if scored else {},
            explanation={
                "spam": [{"feature": "inspects", "weight": 0.8, "start": 24, "end": 32}],
                "toxicity": [{"feature": "prisons", "weight": 0.5, "start": 37, "end": 44}],
            }
            if scored
            else {},
            decision_reason="Held for review." if status == Status.HELD else "",
            decision_label=("spam" if spam > toxicity else "toxicity")
            if status in (Status.HELD, Status.REJECTED)
            else "",
        )


def _fill(site: Site, comments: int, stdout: TextIOBase) -> None:
    rng = random.Random(20261128)  # bench data, not secrets
    articles = Article.objects.bulk_create(
        Article(site=site, title=f"Bench article {i}", url=f"https://bench.example/{i}")
        for i in range(50)
    )
    created_at = Comment._meta.get_field("created_at")
    created_at.auto_now_add = False  # spread over 30 days
    try:
        batch: list[Comment] = []
        for comment in _comments(articles, comments, rng):
            batch.append(comment)
            if len(batch) == BATCH:
                Comment.objects.bulk_create(batch)
                batch = []
        Comment.objects.bulk_create(batch)
    finally:
        created_at.auto_now_add = True
    if connection.vendor == "postgresql":
        # What autovacuum does to a live table: statistics, and the visibility map that lets the
        # counts read the article/status index alone.
        # VACUUM cannot run in a transaction (a test's); ANALYZE alone then.
        vacuum = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            cursor.execute(f"{vacuum} moderation_comment")
    stdout.write(f"  created {comments} comments on {len(articles)} articles\n")


def bench_queue(
    *, comments: int = 100_000, renders: int = 30, allow_sqlite: bool = False, stdout: TextIOBase
) -> dict[str, Any]:
    """Fill, time `renders` renders of each page kind, print p50/p99 ms, clean up; the figures."""
    if connection.vendor != "postgresql" and not allow_sqlite:
        raise BenchRefused(
            "The queue bench fills the configured database; point DATABASE_URL at a PostgreSQL "
            "database of its own (e.g. postgres://postgres@127.0.0.1:5432/bench_queue), "
            "or pass --allow-sqlite."
        )
    tag = secrets.token_hex(4)
    site = Site.objects.create(name=f"Queue bench {tag}", domain=f"bench-{tag}.example")
    user = get_user_model().objects.create_user(username=f"bench-queue-{tag}", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(codename="moderate_comment", content_type__app_label="moderation")
    )
    results: dict[str, Any] = {"comments": comments, "database": connection.vendor, "pages": {}}
    stdout.write(
        f"Queue bench: {comments} comments in {connection.vendor}; "
        f"load average {', '.join(f'{n:.1f}' for n in os.getloadavg())} on {os.cpu_count()} CPUs\n"
    )
    try:
        started = time.perf_counter()
        _fill(site, comments, stdout)
        stdout.write(f"  filled in {time.perf_counter() - started:.1f} s\n")
        client = Client()
        client.force_login(user)
        url = reverse("admin:moderation_moderationqueue_changelist")
        with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
            for name, params in PAGES.items():
                timings, db_times = [], []
                for attempt in range(renders + 2):
                    with CaptureQueriesContext(connection) as queries:
                        began = time.perf_counter()
                        response = client.get(url, params, secure=True)  # as behind HTTPS
                        elapsed = (time.perf_counter() - began) * 1000
                    if response.status_code != 200:
                        raise RuntimeError(f"{name}: the queue answered {response.status_code}")
                    if attempt >= 2:  # the first two warm caches and connections
                        timings.append(elapsed)
                        db_times.append(sum(float(q["time"]) for q in queries) * 1000)
                p50 = statistics.median(timings)
                p99 = statistics.quantiles(timings, n=100, method="inclusive")[98]
                db_p50 = statistics.median(db_times)
                results["pages"][name] = {
                    "p50_ms": round(p50, 1),
                    "p99_ms": round(p99, 1),
                    "db_p50_ms": round(db_p50, 1),
                    "queries": len(queries),
                }
                verdict = "ok" if p50 < TARGET_MS else f"over the {TARGET_MS:.0f} ms target"
                stdout.write(
                    f"  {name:<38} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
                    f"(database {db_p50:.1f} ms in {len(queries)} queries; "
                    f"{renders} renders, {verdict})\n"
                )
    finally:
        Comment.objects.filter(article__site=site).delete()
        site.delete()
        user.delete()
        stdout.write("  cleaned up\n")
    return results


@suite("queue")
def queue_suite(options: BenchOptions, stdout: TextIOBase) -> None:
    """`manage.py bench --suite queue`: skipped with a message unless on PostgreSQL."""
    try:
        bench_queue(
            comments=options.comments,
            renders=options.renders,
            allow_sqlite=options.allow_sqlite,
            stdout=stdout,
        )
    except BenchRefused as refused:
        stdout.write(f"Queue bench skipped: {refused}\n")
