"""The registry of benchmark suites: `python manage.py bench --suite NAME` runs one, no flag all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import TextIOBase


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


Suite = Callable[[BenchOptions, TextIOBase], None]
SUITES: dict[str, Suite] = {}


def suite(name: str) -> Callable[[Suite], Suite]:
    """Register a suite under name (modules registering suites are imported in bench.py)."""

    def register(run: Suite) -> Suite:
        SUITES[name] = run
        return run

    return register
