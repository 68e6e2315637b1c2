"""The benchmark's table: one row per figure, printed and written to a Markdown file with the
machine it came from (date, git commit, CPUs and their speed, load average, Python, PostgreSQL,
Redis)."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

from ml.bench import sample_source
from project.devstack import BASE_DIR


@dataclass(frozen=True)
class Row:
    """One measured figure; `met` is None when the figure has no target."""

    suite: str
    measure: str
    value: str
    target: str = ""
    met: bool | None = None

    @property
    def verdict(self) -> str:
        return {None: "", True: "met", False: "MISSED"}[self.met]


def _git_commit() -> str:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=10,
    ).stdout.strip()
    return done.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def _database_version() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def _redis_version() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        return f"Redis {client.info('server')['redis_version']}"
    except redis.RedisError:
        return "Redis not reachable"
    finally:
        client.close()


SPEED_LOOP = 2_000_000  # iterations of the calibration loop, best of three


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.machine()


def python_speed(iterations: int = SPEED_LOOP) -> float:
    """Nanoseconds per iteration of a plain Python loop, best of three: the same machine type
    has run twice as slow from one day to the next, and every CPU figure of the table with it."""
    best = float("inf")
    for _ in range(3):
        total, start = 0, time.perf_counter()
        for i in range(iterations):
            total += i
        best = min(best, time.perf_counter() - start)
    return best / iterations * 1e9


def load_average() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def machine() -> dict[str, str]:
    """What the figures depend on, measured now."""
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _git_commit(),
        "cpus": f"{os.cpu_count()} ({_cpu_model()})",
        "cpu speed": f"{python_speed():.0f} ns an iteration of a plain Python loop (best of 3 x "
        f"{SPEED_LOOP:,}; lower is faster)",
        "load average": load_average(),
        "python": platform.python_version(),
        "database": _database_version(),
        "redis": _redis_version(),
        "sample texts": sample_source(),
    }


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def table(rows: list[Row]) -> str:
    """A Markdown table of the rows, columns padded so that it reads as text too."""
    header = ("suite", "measure", "value", "target", "")
    cells = [header] + [
        tuple(_cell(c) for c in (r.suite, r.measure, r.value, r.target, r.verdict)) for r in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"

    rule = "| " + " | ".join("-" * w for w in widths) + " |"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])]) + "\n"


def document(rows: list[Row], *, about: dict[str, str], details: str = "", models: str = "") -> str:
    """The report file: the machine, the table, then each suite's own output."""
    lines = ["# Benchmark", ""]
    lines += [f"- {name}: {value}" for name, value in about.items()]
    lines += ["", table(rows)]
    if models:
        lines += ["## Models (`python -m ml bench`)", "", "```", models.rstrip(), "```", ""]
    if details:
        lines += ["## Suites' output (`manage.py bench`)", "", "```", details.rstrip(), "```", ""]
    return "\n".join(lines)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
