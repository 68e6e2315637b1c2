"""`python manage.py bench [--suite NAME]`: benchmarks of the running service, figures printed."""

from __future__ import annotations

import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from moderation.bench import api as _api  # noqa: F401 - registers the api and latency suites
from moderation.bench import perspective as _perspective  # noqa: F401 - registers its suite
from moderation.bench import pipeline as _pipeline  # noqa: F401 - registers its suite
from moderation.bench import profile as _profile  # noqa: F401 - registers its suite
from moderation.bench import report
from moderation.bench import rules as _rules  # noqa: F401 - registers its suite
from moderation.bench import submit as _submit  # noqa: F401 - registers its suite
from moderation.bench import thread as _thread  # noqa: F401 - registers its suite
from moderation.bench import worker as _worker  # noqa: F401 - registers its suite
from moderation.bench.suites import SUITES, BenchOptions
from moderation.desk import bench as _desk  # noqa: F401 - registers the queue suite
from moderation.learning import bench as _learning  # noqa: F401 - registers the sites suite


class _Tee(io.TextIOBase):
    """Writes to the command's output and keeps a copy for the report file."""

    def __init__(self, target: OutputWrapper) -> None:
        self.target = target
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.target.write(text, ending="")
        self.target.flush()
        return self.copy.write(text)


def bench_options(options: dict) -> BenchOptions:
    """The options, checked: a CommandError names the first one out of bounds."""
    if not 0 < options["rate"] <= 500 or not 0 < options["duration"] <= 120:
        raise CommandError("--rate must be in (0, 500] and --duration in (0, 120] seconds.")
    if not 1 <= options["comments"] <= 1_000_000 or not 2 <= options["renders"] <= 500:
        raise CommandError("--comments must be in [1, 1000000] and --renders in [2, 500].")
    rates = ("api_rate", "latency_rate", "thread_rate")
    if not all(0 < options[rate] <= 500 for rate in rates):
        raise CommandError("--api-rate, --latency-rate and --thread-rate must be in (0, 500] /s.")
    if not 0 <= options["grace"] <= 600:
        raise CommandError("--grace must be in [0, 600] seconds.")
    if not 10 <= options["thread_comments"] <= 100_000:
        raise CommandError("--thread-comments must be in [10, 100000].")
    if not 10 <= options["backlog"] <= 100_000:
        raise CommandError("--backlog must be in [10, 100000].")
    if not 10 <= options["submissions"] <= 10_000:
        raise CommandError("--submissions must be in [10, 10000].")
    if not 10 <= options["lone_batches"] <= 5000:
        raise CommandError("--lone-batches must be in [10, 5000].")
    return BenchOptions(
        rate=options["rate"],
        duration=options["duration"],
        concurrency=max(1, min(options["concurrency"], 32)),
        saturate_seconds=min(options["saturate_seconds"], 60.0),
        workers=max(1, min(options["workers"], 8)),
        comments=options["comments"],
        renders=options["renders"],
        allow_sqlite=options["allow_sqlite"],
        api_rate=options["api_rate"],
        latency_rate=options["latency_rate"],
        worker_concurrency=max(1, min(options["worker_concurrency"], 8)),
        grace=options["grace"],
        thread_comments=options["thread_comments"],
        backlog=options["backlog"],
        thread_rate=options["thread_rate"],
        web_workers=max(0, min(options["web_workers"], 16)),
        submissions=options["submissions"],
        lone_batches=options["lone_batches"],
    )


class Command(BaseCommand):
    help = "Benchmark the service over HTTP on 127.0.0.1 (bounded in time and request count)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--suite", action="append", help=f"One of: {', '.join(SUITES)}")
        parser.add_argument("--rate", type=float, default=50.0, help="Fixed-rate phase, req/s")
        parser.add_argument("--duration", type=float, default=20.0, help="Fixed-rate seconds")
        parser.add_argument("--concurrency", type=int, default=4, help="Saturating clients")
        parser.add_argument("--saturate-seconds", type=float, default=10.0)
        parser.add_argument("--workers", type=int, default=2, help="perspective: web processes")
        parser.add_argument("--comments", type=int, default=100_000, help="Queue suite: comments")
        parser.add_argument("--renders", type=int, default=30, help="Queue suite: timed renders")
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="Queue suite: on a non-PostgreSQL database"
        )
        parser.add_argument(
            "--backlog", type=int, default=1000, help="Pipeline suite: pending comments per run"
        )
        parser.add_argument(
            "--api-rate", type=float, default=100.0, help="api suite: fixed-rate POSTs per second"
        )
        parser.add_argument(
            "--latency-rate", type=float, default=50.0, help="latency suite: comments per second"
        )
        parser.add_argument(
            "--worker-concurrency", type=int, default=2, help="api/latency: the worker's processes"
        )
        parser.add_argument(
            "--grace", type=float, default=60.0, help="api/latency: seconds to wait for the worker"
        )
        parser.add_argument(
            "--web-workers",
            type=int,
            default=0,
            help="api/latency/thread: gunicorn workers (default: two per CPU, as the README says)",
        )
        parser.add_argument(
            "--thread-rate", type=float, default=20.0, help="thread suite: reads per second"
        )
        parser.add_argument(
            "--thread-comments", type=int, default=1000, help="thread suite: approved comments"
        )
        parser.add_argument(
            "--submissions",
            type=int,
            default=500,
            help="submit-profile suite: POSTs measured in process, then as many profiled",
        )
        parser.add_argument(
            "--lone-batches",
            type=int,
            default=150,
            help="worker-profile suite: lone-comment batches measured, then as many timed by stage",
        )
        parser.add_argument(
            "--output", type=Path, help="Also write the table and the output here (Markdown)"
        )
        parser.add_argument(
            "--models-report", type=Path, help="`python -m ml bench`'s output, for --output"
        )

    def handle(self, *args, suite: list[str] | None, **options) -> None:
        names = suite or list(SUITES)
        unknown = [name for name in names if name not in SUITES]
        if unknown:
            raise CommandError(f"Unknown suite {unknown[0]!r}; suites: {', '.join(SUITES)}.")
        bench = bench_options(options)
        # Before the suites: the load average they started under.
        about = report.machine() if options["output"] else {}
        out = _Tee(self.stdout)
        rows: list[report.Row] = []
        for name in names:
            rows += SUITES[name](bench, out) or []
        table = report.table(rows)
        self.stdout.write("\n" + table, ending="")
        if options["output"]:
            about["load average at the end"] = report.load_average()
            models = options["models_report"]
            text = report.document(
                rows,
                about=about,
                details=out.copy.getvalue(),
                models=models.read_text() if models and models.exists() else "",
            )
            report.write(options["output"], text)
            self.stdout.write(f"Written to {options['output']}")
