"""`python manage.py bench [--suite NAME]`: benchmarks of the running service, figures printed."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from moderation.bench import perspective as _perspective  # noqa: F401 - registers its suite
from moderation.bench import pipeline as _pipeline  # noqa: F401 - registers its suite
from moderation.bench import profile as _profile  # noqa: F401 - registers its suite
from moderation.bench import rules as _rules  # noqa: F401 - registers its suite
from moderation.bench.suites import SUITES, BenchOptions
from moderation.desk import bench as _desk  # noqa: F401 - registers the queue suite
from moderation.learning import bench as _learning  # noqa: F401 - registers the sites suite


class Command(BaseCommand):
    help = "Benchmark the service over HTTP on 127.0.0.1 (bounded in time and request count)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--suite", action="append", help=f"One of: {', '.join(SUITES)}")
        parser.add_argument("--rate", type=float, default=50.0, help="Fixed-rate phase, req/s")
        parser.add_argument("--duration", type=float, default=20.0, help="Fixed-rate seconds")
        parser.add_argument("--concurrency", type=int, default=4, help="Saturating clients")
        parser.add_argument("--saturate-seconds", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=2, help="Web server processes")
        parser.add_argument("--comments", type=int, default=100_000, help="Queue suite: comments")
        parser.add_argument("--renders", type=int, default=30, help="Queue suite: timed renders")
        parser.add_argument(
            "--backlog", type=int, default=1000, help="Pipeline suite: pending comments per run"
        )
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="Queue suite: on a non-PostgreSQL database"
        )

    def handle(self, *args, suite: list[str] | None, **options) -> None:
        names = suite or list(SUITES)
        unknown = [name for name in names if name not in SUITES]
        if unknown:
            raise CommandError(f"Unknown suite {unknown[0]!r}; suites: {', '.join(SUITES)}.")
        if not 0 < options["rate"] <= 500 or not 0 < options["duration"] <= 120:
            raise CommandError("--rate must be in (0, 500] and --duration in (0, 120] seconds.")
        if not 1 <= options["comments"] <= 1_000_000 or not 2 <= options["renders"] <= 500:
            raise CommandError("--comments must be in [1, 1000000] and --renders in [2, 500].")
        if not 10 <= options["backlog"] <= 100_000:
            raise CommandError("--backlog must be in [10, 100000].")
        bench_options = BenchOptions(
            rate=options["rate"],
            duration=options["duration"],
            concurrency=max(1, min(options["concurrency"], 32)),
            saturate_seconds=min(options["saturate_seconds"], 60.0),
            workers=max(1, min(options["workers"], 8)),
            comments=options["comments"],
            renders=options["renders"],
            allow_sqlite=options["allow_sqlite"],
            backlog=options["backlog"],
        )
        for name in names:
            SUITES[name](bench_options, self.stdout)
