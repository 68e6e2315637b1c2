"""The `worker-profile` suite: the worker's CPU time per lone-comment batch, in process.

At a steady rate each scoring message finds one or two pending comments, so what a batch costs
whatever its size (the claim, the reads, the campaign window of the site's recent fingerprints,
the writes, the notification task) is paid per comment. This suite decides lone comments, each
by its own batch, on a site whose campaign window is full (at least CANDIDATE_LIMIT
fingerprints), on PostgreSQL, with Celery eager (the notification task runs inline, email to
memory), as a worker decides them. It prints the CPU time per batch (time.process_time, robust
to the machine's load, unlike wall time) and the queries per batch, then the CPU of each stage
from a second run with wrappers summing process_time around the stages' functions (cProfile
slows every call and would blur the split).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import wraps
from io import TextIOBase
from typing import Any
from unittest import mock

from django.conf import settings
from django.db import connection

from moderation import batch, queue, scoring
from moderation.bench.api import skipped
from moderation.bench.pipeline import backlog_create, bench_site
from moderation.bench.profile import Queries, eager
from moderation.bench.report import Row
from moderation.bench.suites import BenchOptions, suite
from moderation.models import ModerationEvent
from moderation.notify import batch as notify_batch
from moderation.policy import engine, history
from moderation.rules.models import CommentFingerprint

WARM_UP = 20
FILL_BATCH = 100  # comments per batch while the window is filled


def _stages() -> dict[str, list[tuple[Any, str]]]:
    """Stage -> (owner, attribute) of the functions it times; indented ones run inside the one
    above them."""
    stages: dict[str, tuple[Any, str] | list[tuple[Any, str]]] = {
        "claim (held check, own comment, oldest others)": (batch, "_claim"),
        "bans (bans_for_comments)": (batch, "bans_for_comments"),
        "trust (trusted_comment_ids)": (batch, "trusted_comment_ids"),
        "site reads (_sites: rules, newcomers, window)": (batch, "_sites"),
        "  campaign window: open (CampaignWindow.__init__)": (history.CampaignWindow, "__init__"),
        "text rules (engine.base_hits)": (engine, "base_hits"),
        "scoring (_scores: one models' call per site)": (batch, "_scores"),
        "history rules and verdicts (_judge)": (batch, "_judge"),
        "  campaign window: compare (CampaignWindow.hits)": (history.CampaignWindow, "hits"),
        # At the batch's first comment with a signature.
        "    campaign window: read (keys; signatures kept by the process)": (
            history.CampaignWindow,
            "_read",
        ),
        "    campaign window: read the members found": (history, "_members_read"),
        "write: comments (_write)": (batch, "_write"),
        "write: events (bulk_create)": (ModerationEvent.objects, "bulk_create"),
        "write: fingerprints (CampaignWindow.save)": (history.CampaignWindow, "save"),
        "notify: queue the batch's task (outbox row)": (
            notify_batch,
            "comments_status_changed_enqueue",
        ),
        "notify: the batch's notification task": (notify_batch, "comments_status_changed"),
        "scoring key (queue.score_disarm)": (queue, "score_disarm"),
    }
    return {
        label: targets if isinstance(targets, list) else [targets]
        for label, targets in stages.items()
    }


@contextmanager
def stage_cpu(stages: dict[str, list[tuple[Any, str]]]) -> Iterator[dict[str, float]]:
    """Wrap each stage's functions to sum their CPU seconds (process_time) into the dict
    yielded; the functions are restored on exit. A function that does not exist is skipped."""
    spent = dict.fromkeys(stages, 0.0)

    def timed(label: str, function: Callable) -> Callable:
        @wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - start

        return wrapper

    with ExitStack() as patches:
        for label, targets in stages.items():
            for owner, name in targets:
                function = getattr(owner, name, None)
                if function is not None:
                    patches.enter_context(mock.patch.object(owner, name, timed(label, function)))
        yield spent


def _window_fill(site: Any) -> int:
    """Decide what is pending (an interrupted run's), then batches of comments until the site's
    window holds more than CANDIDATE_LIMIT fingerprints; how many it holds."""
    while batch.comments_score_batch(comment_id=None, limit=FILL_BATCH):
        pass
    stored = CommentFingerprint.objects.filter(site=site)
    have = stored.count()
    while have < history.CANDIDATE_LIMIT + FILL_BATCH:
        ids = backlog_create(site, FILL_BATCH, seed=have)
        batch.comments_score_batch(comment_id=ids[0], limit=FILL_BATCH)
        have = stored.count()
    return have


def _lone_batches(site: Any, count: int, seed: int) -> float:
    """Decide count lone comments, each by its own batch; the CPU seconds of the batches alone
    (not the comments' creation)."""
    cpu = 0.0
    for i in range(count):
        (comment_id,) = backlog_create(site, 1, seed=seed + i)
        start = time.process_time()
        decided = batch.comments_score_batch(
            comment_id=comment_id, limit=settings.MODERATION_SCORE_BATCH
        )
        cpu += time.process_time() - start
        if list(decided) != [comment_id]:
            raise RuntimeError(f"worker-profile: a lone batch decided {decided}")
    return cpu


@suite("worker-profile")
def run_worker_profile(options: BenchOptions, out: TextIOBase) -> list[Row]:
    if (refused := skipped("worker-profile", out)) is not None:
        return refused
    n = options.lone_batches
    scoring.models_ready()  # loaded before the clock starts, as a worker loads them at start
    site = bench_site()
    queries = Queries()
    with eager():
        fingerprints = _window_fill(site)
        _lone_batches(site, WARM_UP, seed=1_000_000)  # compiled patterns, prepared statements
        with connection.execute_wrapper(queries):
            start = time.perf_counter()
            cpu = _lone_batches(site, n, seed=1_000_000 + WARM_UP)
            wall = time.perf_counter() - start
        with stage_cpu(_stages()) as spent:
            timed_cpu = _lone_batches(site, n, seed=1_000_000 + WARM_UP + n)
    cpu_ms, timed_ms = cpu / n * 1000, timed_cpu / n * 1000
    out.write(
        f"worker-profile: {n} lone comments, each decided by its own batch (PostgreSQL, Celery "
        f"eager: the notification task inline) on a site with {fingerprints:,} fingerprints "
        f"(the campaign window compares the newest {history.CANDIDATE_LIMIT:,})\n"
        f"  CPU {cpu_ms:.2f} ms per batch (wall {wall / n * 1000:.2f} ms, which includes the "
        f"database's time), {queries.count / n:.1f} queries per batch\n"
        f"  CPU by stage, another {n} batches with each stage's function timed "
        f"({timed_ms:.2f} ms per batch there; indented stages are part of the one above)\n"
        "  stage                                                        ms/batch  share\n"
    )
    for stage, seconds in spent.items():
        share = seconds / timed_cpu if timed_cpu else 0.0
        out.write(f"  {stage:<60} {seconds * 1000 / n:8.2f} {share:6.0%}\n")
    top = sum(seconds for stage, seconds in spent.items() if not stage.startswith(" "))
    rest = (timed_cpu - top) * 1000 / n
    out.write(f"  {'the rest (transaction, the steps between stages)':<60} {rest:8.2f}\n")
    return [
        Row(
            "worker-profile",
            f"worker CPU per lone-comment batch, in process ({history.CANDIDATE_LIMIT:,} "
            "fingerprints in the campaign window)",
            f"{cpu_ms:.1f} ms, {queries.count / n:.1f} queries",
        )
    ]
