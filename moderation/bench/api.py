"""The `api` and `latency` suites: comment submissions over HTTP against the production layout.

`api`: POST /api/v1/articles/<id>/comments/ at a fixed rate (open loop), then as fast as
`--concurrency` clients go; after each phase, how many comments the worker still had pending,
and how long it took to decide them all. `latency`: comments at a steady rate with one worker;
submit-to-decision latency from the database (created_at to decided_at) and from the POST's send
time (when the load generator was due to send it) to decided_at.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from io import TextIOBase
from pathlib import Path

from moderation.bench.load import percentiles
from moderation.bench.report import Row
from moderation.bench.stack import (
    CpuMeter,
    bench_site_create,
    pending_count,
    postgresql_refusal,
    production_stack,
    run_load,
    wait_for_decisions,
)
from moderation.bench.suites import BenchOptions, suite
from moderation.models import Comment

POST_P95_TARGET_MS = 50.0
DECISION_P95_TARGET_MS = 100.0


def _load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def _errors(phase: dict) -> str:
    if not phase["errors"]:
        return "0 errors"
    by_status = ", ".join(
        f"{n} x {s if s != '0' else 'no answer'}" for s, n in phase["error_statuses"].items()
    )
    return f"{phase['errors']} errors ({by_status})"


def _latencies(phase: dict) -> str:
    return f"p50 {phase['p50_ms']:.1f}, p95 {phase['p95_ms']:.1f}, p99 {phase['p99_ms']:.1f} ms"


def _backlog(pending_at_end: int, left: int, waited: float, grace: float) -> str:
    after = (
        f"all decided {waited:.1f} s later"
        if not left
        else f"{left} still pending after {grace:g} s"
    )
    return f"{pending_at_end} pending when the load stopped, {after}"


def skipped(name: str, out: TextIOBase) -> list[Row] | None:
    """Say why name cannot run here (not PostgreSQL), as a line and a table row; else None."""
    refusal = postgresql_refusal(name)
    if refusal is None:
        return None
    out.write(refusal + "\n")
    return [Row(name, "skipped", "DATABASE_URL is not PostgreSQL")]


@suite("api")
def run_api(options: BenchOptions, out: TextIOBase) -> list[Row]:
    if (refused := skipped("api", out)) is not None:
        return refused
    web, processes = options.production_web_workers, options.worker_concurrency
    bench = bench_site_create(tag=secrets.token_hex(4))
    with production_stack(web_workers=web, worker_concurrency=processes) as stack:
        url = f"{stack.base_url}/api/v1/articles/{bench.article.pk}/comments/"
        cpu = CpuMeter(stack)
        cpu.start()
        fixed = run_load(url=url, kind="comment", rate=options.api_rate, duration=options.duration)
        fixed_rate = fixed["fixed_rate"]
        fixed_pending = pending_count(bench.article)
        fixed_left, fixed_waited = wait_for_decisions(bench.article, grace=options.grace)
        cpu.stop()
        saturated = run_load(
            url=url,
            kind="comment",
            rate=options.api_rate,
            duration=0,
            concurrency=options.concurrency,
            saturate_seconds=options.saturate_seconds,
        )["saturated"]
        saturated_pending = pending_count(bench.article)
        saturated_left, saturated_waited = wait_for_decisions(bench.article, grace=options.grace)
    out.write(
        f"api: POST /api/v1/articles/<id>/comments/ over HTTP: gunicorn ({web} sync workers, "
        f"--preload, DEBUG off) and one Celery worker (--concurrency {processes}) on PostgreSQL "
        "and Redis, load from a separate process; throttles raised, the bench site's flood and "
        f"duplicate rules off; machine load average {_load_average()} on {os.cpu_count()} CPUs\n"
    )
    out.write(
        f"  at {fixed_rate['rate']:g} req/s for {fixed_rate['seconds']:g} s: "
        f"{fixed_rate['requests']} requests, {_errors(fixed_rate)}, {_latencies(fixed_rate)}, "
        f"max {fixed_rate['max_ms']:.1f} ms; worker: "
        f"{_backlog(fixed_pending, fixed_left, fixed_waited, options.grace)}\n"
    )
    out.write(
        f"  as fast as {saturated['clients']} clients go ({saturated['seconds']:g} s): "
        f"{saturated['requests_per_second']:.0f} req/s, {_errors(saturated)}, "
        f"{_latencies(saturated)}; worker: "
        f"{_backlog(saturated_pending, saturated_left, saturated_waited, options.grace)}\n"
    )
    submitted = fixed["warm_up"] + fixed_rate["requests"]
    # Per comment the web answered, and per comment the worker decided (some may be pending).
    web_ms = cpu.web / submitted * 1000
    worker_ms = cpu.worker / max(1, submitted - fixed_left) * 1000
    out.write(
        f"  CPU in the fixed-rate phase and its drain: web {web_ms:.1f} ms per submission (all "
        f"gunicorn workers), worker {worker_ms:.1f} ms per decision (the Celery worker and its "
        f"pool: scoring, decision, notifications)\n"
    )
    # Keeping up: less than one second's submissions waiting when the load stops.
    keeps_up = fixed_pending <= fixed_rate["rate"] and not fixed_left
    return [
        Row(
            "api",
            f"POST at {fixed_rate['rate']:g} req/s ({fixed_rate['requests']} requests)",
            _latencies(fixed_rate),
            f"p95 < {POST_P95_TARGET_MS:g} ms",
            fixed_rate["p95_ms"] < POST_P95_TARGET_MS,
        ),
        Row(
            "api",
            f"errors at {fixed_rate['rate']:g} req/s",
            _errors(fixed_rate),
            "0",
            fixed_rate["errors"] == 0,
        ),
        Row(
            "api",
            f"worker after {fixed_rate['rate']:g} req/s",
            _backlog(fixed_pending, fixed_left, fixed_waited, options.grace),
            "keeps up (< 1 s behind)",
            keeps_up,
        ),
        Row(
            "api",
            "CPU per comment (web per submission; worker per decision)",
            f"web {web_ms:.1f} ms; worker {worker_ms:.1f} ms",
        ),
        Row(
            "api",
            f"POST, {saturated['clients']} clients as fast as they go",
            f"{saturated['requests_per_second']:.0f} req/s, {_latencies(saturated)}, "
            f"{_errors(saturated)}",
        ),
        Row(
            "api",
            f"worker after {saturated['clients']} clients",
            _backlog(saturated_pending, saturated_left, saturated_waited, options.grace),
        ),
    ]


def decision_latencies(records: list[dict]) -> tuple[list[float], list[float], int]:
    """Submit-to-decision latencies in seconds for the accepted comments the records name:
    (created_at to decided_at, POST due time to decided_at, how many are still undecided)."""
    due = {r["id"]: r["due"] for r in records if 200 <= r["status"] < 300 and r["id"]}
    stored, from_post, undecided = [], [], 0
    rows = Comment.objects.filter(pk__in=due).values_list("pk", "created_at", "decided_at")
    for pk, created_at, decided_at in rows:
        if decided_at is None:
            undecided += 1
            continue
        stored.append((decided_at - created_at).total_seconds())
        from_post.append(decided_at.timestamp() - due[pk])
    return stored, from_post, undecided + len(due) - len(rows)


@suite("latency")
def run_latency(options: BenchOptions, out: TextIOBase) -> list[Row]:
    if (refused := skipped("latency", out)) is not None:
        return refused
    web, processes = options.production_web_workers, options.worker_concurrency
    bench = bench_site_create(tag=secrets.token_hex(4))
    with (
        tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp,
        production_stack(web_workers=web, worker_concurrency=processes) as stack,
    ):
        record = Path(tmp) / "requests.jsonl"
        url = f"{stack.base_url}/api/v1/articles/{bench.article.pk}/comments/"
        load = run_load(
            url=url, kind="comment", rate=options.latency_rate, duration=options.duration,
            record=record,
        )["fixed_rate"]  # fmt: skip
        pending_at_end = pending_count(bench.article)
        left, waited = wait_for_decisions(bench.article, grace=options.grace)
        records = [json.loads(line) for line in record.read_text().splitlines()]
    stored, from_post, undecided = decision_latencies(records)
    in_db, end_to_end = percentiles(stored), percentiles(from_post)
    out.write(
        f"latency: comments at {options.latency_rate:g}/s for {load['seconds']:g} s "
        f"({load['requests']} requests, {_errors(load)}) to gunicorn ({web} workers), one "
        f"Celery worker (--concurrency {processes}) on PostgreSQL and Redis; machine load "
        f"average {_load_average()} on {os.cpu_count()} CPUs\n"
    )
    out.write(
        f"  stored to decided (created_at to decided_at, in the database): {_latencies(in_db)}, "
        f"max {in_db['max_ms']:.1f} ms\n"
        f"  POST sent to decided (the load's send time to decided_at): {_latencies(end_to_end)}, "
        f"max {end_to_end['max_ms']:.1f} ms\n"
        f"  {len(stored)} decided, {undecided} undecided; worker: "
        f"{_backlog(pending_at_end, left, waited, options.grace)}\n"
    )
    measure = f"at {options.latency_rate:g}/s, {options.worker_concurrency}-process worker"
    return [
        Row(
            "latency",
            f"POST sent to decided {measure}",
            _latencies(end_to_end),
            f"p95 < {DECISION_P95_TARGET_MS:g} ms",
            end_to_end["p95_ms"] < DECISION_P95_TARGET_MS and not undecided,
        ),
        Row("latency", f"created_at to decided_at {measure}", _latencies(in_db)),
        Row(
            "latency",
            f"errors and undecided {measure}",
            f"{_errors(load)}, {undecided} undecided after {options.grace:g} s",
            "0",
            load["errors"] == 0 and not undecided,
        ),
    ]
