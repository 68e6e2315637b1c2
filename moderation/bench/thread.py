"""The `thread` suite: reading an article's published comments, with 1,000 of them.

Three reads, as readers make them: the widget's thread (GET /api/v1/embed/<key>/articles/<id>/
comments/?missing=empty&order=oldest, its first page of 20 threads), the no-JavaScript page
(/embed/<key>/<id>/) and the public API's list (/api/v1/articles/<id>/comments/, 50 a page).
Latency over HTTP from a separate process against gunicorn; the query count in process, on an
article with 10 published comments and on one with `--thread-comments`.
"""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from datetime import timedelta
from io import TextIOBase

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from moderation.bench.api import skipped
from moderation.bench.report import Row
from moderation.bench.stack import bench_site_create, production_stack, run_load
from moderation.bench.suites import BenchOptions, suite
from moderation.models import Article, Comment, Site

THREAD_P95_TARGET_MS = 50.0
FEW = 10
REPLY_SHARE = 0.3  # of the comments answer an earlier one: threads, not a flat list
REPLY_WINDOW = 50


def thread_reads(site: Site, article: Article) -> dict[str, str]:
    """The paths a reader's browser asks for, by name."""
    key, external = site.public_key, article.external_id
    return {
        "widget thread (embed API)": (
            f"/api/v1/embed/{key}/articles/{external}/comments/?missing=empty&order=oldest"
        ),
        "no-JavaScript page": f"/embed/{key}/{external}/",
        "public API list": f"/api/v1/articles/{article.pk}/comments/",
    }


def _comments(article: Article, count: int, rng: random.Random) -> Iterator[Comment]:
    """count approved comments, a minute apart, over the last day."""
    start = timezone.now() - timedelta(days=1)
    token_hash = Comment.hash_status_token("bench")
    for i in range(count):
        yield Comment(
            article=article,
            author_name=f"Reader {i % 300}",
            author_email=f"reader{i % 300}@bench.example",
            body=f"Comment {i}: who inspects the prisons, and how often? " * rng.randint(1, 4),
            status=Comment.Status.APPROVED,
            status_token_hash=token_hash,
            created_at=start + timedelta(seconds=60 * i),
            decided_at=start + timedelta(seconds=60 * i + 1),
            decision_reason="Approved.",
        )


def article_fill(article: Article, count: int, *, seed: int = 17) -> None:
    """Store count approved comments on article in bulk (no events: nothing decided them),
    about REPLY_SHARE of them replies to one of the REPLY_WINDOW comments before them."""
    rng = random.Random(seed)  # bench data, not secrets
    created_at = Comment._meta.get_field("created_at")
    created_at.auto_now_add = False  # spread over the day, in order
    try:
        comments = Comment.objects.bulk_create(_comments(article, count, rng), batch_size=2000)
    finally:
        created_at.auto_now_add = True
    replies = []
    for index, comment in enumerate(comments):
        if index and rng.random() < REPLY_SHARE:
            # Readers answer what they see: one of the REPLY_WINDOW comments before theirs.
            comment.parent_id = comments[rng.randrange(max(0, index - REPLY_WINDOW), index)].pk
            replies.append(comment)
    Comment.objects.bulk_update(replies, ["parent"], batch_size=2000)


def query_counts(site: Site, article: Article) -> dict[str, int]:
    """Queries each read makes, in process (the test client, as behind HTTPS)."""
    client = Client()
    counts = {}
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        for name, path in thread_reads(site, article).items():
            client.get(path, secure=True)  # warm: the first request loads what later ones reuse
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"{name}: {path} answered {response.status_code}")
            counts[name] = len(queries)
    return counts


@suite("thread")
def run_thread(options: BenchOptions, out: TextIOBase) -> list[Row]:
    if (refused := skipped("thread", out)) is not None:
        return refused
    tag = secrets.token_hex(4)
    many = bench_site_create(tag=tag)
    few = Article.objects.create(
        site=many.site, external_id=f"few-{tag}", title="Few comments", url="https://x.example/"
    )
    try:
        article_fill(many.article, options.thread_comments)
        article_fill(few, FEW)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum does to a live table
                cursor.execute("ANALYZE moderation_comment")
        few_queries = query_counts(many.site, few)
        many_queries = query_counts(many.site, many.article)
        results, saturated = {}, {}
        seconds = max(2.0, options.duration / 2)
        web = options.production_web_workers
        with production_stack(web_workers=web, worker_concurrency=1) as stack:
            for name, path in thread_reads(many.site, many.article).items():
                load = run_load(
                    url=stack.base_url + path,
                    kind="get",
                    rate=options.thread_rate,
                    duration=seconds,
                    concurrency=options.concurrency,
                    saturate_seconds=seconds / 2,
                )
                results[name], saturated[name] = load["fixed_rate"], load["saturated"]
    finally:
        Comment.objects.filter(article__site=many.site).delete()
        many.site.delete()
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    out.write(
        f"thread: an article with {options.thread_comments} published comments "
        f"({REPLY_SHARE:.0%} replies), GET over HTTP at {options.thread_rate:g} req/s for "
        f"{seconds:g} s, then as fast as {options.concurrency} clients go for {seconds / 2:g} s, "
        f"each read in turn; gunicorn ({web} sync workers) on PostgreSQL; machine load average "
        f"{load_average} on {os.cpu_count()} CPUs\n"
    )
    rows = []
    for name, phase in results.items():
        figures = (
            f"p50 {phase['p50_ms']:.1f}, p95 {phase['p95_ms']:.1f}, p99 {phase['p99_ms']:.1f} ms"
        )
        errors = f"{phase['errors']} errors" if phase["errors"] else "0 errors"
        queries = f"{few_queries[name]} queries with {FEW} comments, {many_queries[name]} with "
        queries += f"{options.thread_comments}"
        most = f"{saturated[name]['requests_per_second']:.0f} reads/s with {options.concurrency} "
        most += f"clients (p95 {saturated[name]['p95_ms']:.1f} ms)"
        out.write(f"  {name:<28} {figures}, {errors}; {most}; {queries}\n")
        rows.append(
            Row(
                "thread",
                f"{name}, {options.thread_comments} comments, {options.thread_rate:g} req/s",
                f"{figures}, {errors}",
                f"p95 < {THREAD_P95_TARGET_MS:g} ms",
                phase["p95_ms"] < THREAD_P95_TARGET_MS and not phase["errors"],
            )
        )
        rows.append(Row("thread", f"{name}: most reads/s", most))
        rows.append(
            Row(
                "thread",
                f"{name}: queries",
                queries,
                "does not grow",
                many_queries[name] <= few_queries[name],
            )
        )
    return rows
