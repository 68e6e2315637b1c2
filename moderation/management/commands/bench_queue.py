"""`python manage.py bench_queue`: the moderation queue's server time with many comments."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from moderation.desk.bench import BenchRefused, bench_queue


class Command(BaseCommand):
    help = (
        "Fill the configured PostgreSQL database with comments, time the moderation queue page "
        "(p50/p99 ms), then delete what it made."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--comments", type=int, default=100_000)
        parser.add_argument("--renders", type=int, default=30, help="Timed renders per page kind")
        parser.add_argument(
            "--allow-sqlite", action="store_true", help="Run on a non-PostgreSQL database too"
        )

    def handle(self, *args, comments: int, renders: int, allow_sqlite: bool, **options) -> None:
        if not 1 <= comments <= 1_000_000 or not 2 <= renders <= 500:
            raise CommandError("--comments must be in [1, 1000000] and --renders in [2, 500].")
        try:
            bench_queue(
                comments=comments, renders=renders, allow_sqlite=allow_sqlite, stdout=self.stdout
            )
        except BenchRefused as refused:
            raise CommandError(str(refused)) from refused
