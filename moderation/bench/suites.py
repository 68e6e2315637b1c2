"""The registry of benchmark suites: `python manage.py bench --suite NAME` runs one, no flag all."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from io import TextIOBase

from moderation.bench.report import Row


@dataclass(frozen=True)
class BenchOptions:
    rate: float  # requests per second of the fixed-rate phase
    duration: float  # seconds of the fixed-rate phase
    concurrency: int  # clients of the as-fast-as-possible phase
    saturate_seconds: float
    workers: int  # web server worker processes
    comments: int = 100_000  # the queue suite's table size
    renders: int = 30  # the queue suite's timed renders per page kind
    allow_sqlite: bool = False  # the queue suite fills the configured database: PostgreSQL only
    backlog: int = 1000  # the pipeline suite's pending comments per run
    api_rate: float = 100.0  # the api suite's fixed rate, comments per second
    latency_rate: float = 50.0  # the latency suite's steady rate, comments per second
    worker_concurrency: int = 2  # the Celery worker's processes (as deploy/ starts it)
    grace: float = 60.0  # seconds the api and latency suites wait for the worker to catch up
    thread_comments: int = 1000  # approved comments on the thread suite's article
    thread_rate: float = 20.0  # the thread suite's fixed rate, reads per second
    web_workers: int = 0  # api, latency, thread: gunicorn workers; 0: two per CPU (the README's)
    submissions: int = 500  # the submit-profile suite's measured (and then profiled) POSTs
    lone_batches: int = 150  # the worker-profile suite's measured (and then timed) lone batches

    @property
    def production_web_workers(self) -> int:
        """The web workers of the production-layout suites: as given, else two per CPU."""
        return self.web_workers or 2 * (os.cpu_count() or 1)


# A suite prints what it measured and may return rows for the benchmark's table.
Suite = Callable[[BenchOptions, TextIOBase], "list[Row] | None"]
SUITES: dict[str, Suite] = {}


def suite(name: str) -> Callable[[Suite], Suite]:
    """Register a suite under name (modules registering suites are imported in bench.py)."""

    def register(run: Suite) -> Suite:
        SUITES[name] = run
        return run

    return register
