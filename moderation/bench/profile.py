"""The `profile` suite: where one batch decision and one lone decision spend their time.

In process, on PostgreSQL (as the pipeline suite, and for the same reason), with Celery eager
so that each decision's notification task runs too, end to end as a worker runs it: cProfile
gives each stage's cumulative time, and a database wrapper counts the queries and their time.
"""

from __future__ import annotations

import cProfile
import pstats
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import TextIOBase
from typing import Any

from django.conf import settings
from django.db import connection

from moderation import batch, scoring
from moderation.bench.pipeline import backlog_create, bench_site, postgres_only
from moderation.bench.suites import BenchOptions, suite
from project import celery_app

# Stage -> the functions whose cumulative time it is (module path suffix, function name).
STAGES: dict[str, list[tuple[str, str]]] = {
    "claim (SELECT ... FOR UPDATE SKIP LOCKED)": [("moderation/batch.py", "_claim")],
    "reads (bans, trust, site rules, history)": [
        ("moderation/authors/selectors.py", "bans_for_comments"),
        ("moderation/authors/selectors.py", "trusted_comment_ids"),
        ("moderation/batch.py", "_sites"),
    ],
    "text rules": [("moderation/policy/engine.py", "base_hits")],
    "history rules and verdicts": [("moderation/batch.py", "_judge")],
    "scoring (one call per site)": [("moderation/scoring.py", "scores_for_texts")],
    "explanations (none: computed on read)": [("moderation/scoring.py", "explanations_for_text")],
    "write: comments (one conditional UPDATE)": [("moderation/batch.py", "_write")],
    "write: events and fingerprints (bulk INSERTs)": [("django/db/models/query.py", "bulk_create")],
    "notify: the batch's notification task": [
        ("moderation/notify/batch.py", "comments_status_changed"),
    ],
    "notify: held-comment emails": [("moderation/notify/batch.py", "held_notices_send")],
}


class Queries:
    """A database execute wrapper counting the queries and the time spent in the driver."""

    def __init__(self) -> None:
        self.count, self.seconds = 0, 0.0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - start


@contextmanager
def eager() -> Iterator[None]:
    previous = celery_app.conf.task_always_eager, settings.EMAIL_BACKEND
    celery_app.conf.task_always_eager = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        yield
    finally:
        celery_app.conf.task_always_eager, settings.EMAIL_BACKEND = previous


def stage_seconds(
    stats: pstats.Stats, stages: dict[str, list[tuple[str, str]]]
) -> dict[str, float]:
    """Each stage's cumulative seconds: the sum over the functions that stage names."""
    found = dict.fromkeys(stages, 0.0)
    raw: dict = stats.stats  # type: ignore[attr-defined]
    for (path, _line, name), (_cc, _nc, _tt, cumulative, _callers) in raw.items():
        for stage, targets in stages.items():
            if any(path.endswith(suffix) and name == fn for suffix, fn in targets):
                found[stage] += cumulative
    return found


def _profile_one(out: TextIOBase, title: str, comment_id: int, limit: int, top: int) -> None:
    queries = Queries()
    profiler = cProfile.Profile()
    with eager(), connection.execute_wrapper(queries):
        start = time.perf_counter()
        profiler.enable()
        decided = batch.comments_score_batch(comment_id=comment_id, limit=limit)
        profiler.disable()
        total = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    n = max(1, len(decided))
    out.write(
        f"\n{title}: {len(decided)} comments decided in {total * 1000:.1f} ms "
        f"({total * 1000 / n:.2f} ms a comment, {n / total:.0f} a second in process); "
        f"{queries.count} queries, {queries.seconds * 1000:.1f} ms in the database driver\n"
    )
    out.write("  stage (cumulative; stages overlap where one calls another)    ms    ms/comment\n")
    for stage, seconds in stage_seconds(stats, STAGES).items():
        out.write(f"  {stage:<60} {seconds * 1000:7.1f} {seconds * 1000 / n:9.3f}\n")
    out.write(f"  top {top} functions by own time:\n")
    own = sorted(
        stats.stats.items(),  # type: ignore[attr-defined]
        key=lambda item: item[1][2],
        reverse=True,
    )[:top]
    for (path, line, name), (_cc, calls, own_time, cumulative, _callers) in own:
        where = f"{path.rsplit('/', 2)[-2:][-1]}:{line}({name})" if "/" in path else name
        out.write(
            f"    {own_time * 1000:8.1f} ms own {cumulative * 1000:8.1f} ms cum {calls:7d} calls"
            f"  {where}\n"
        )


@suite("profile")
def run_profile(options: BenchOptions, out: TextIOBase) -> None:
    if not postgres_only(out, "profile"):
        return
    scoring.models_ready()  # loaded before the clock starts, as a worker loads them at start
    site = bench_site()
    limit = settings.MODERATION_SCORE_BATCH
    previous_debug = connection.force_debug_cursor
    connection.force_debug_cursor = False
    try:
        # A worker's first batch compiles patterns, templates and the URL resolver: not profiled.
        warm = backlog_create(site, 30, seed=99)
        with eager():
            batch.comments_score_batch(comment_id=warm[0], limit=30)
        ids = backlog_create(site, limit, seed=7)
        _profile_one(out, f"One batch (MODERATION_SCORE_BATCH={limit})", ids[0], limit, 15)
        (lone,) = backlog_create(site, 1, seed=8)
        _profile_one(out, "One lone comment (its own message, a batch of one)", lone, limit, 15)
    finally:
        connection.force_debug_cursor = previous_debug
