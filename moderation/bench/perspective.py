"""The `perspective` suite: comments:analyze over HTTP from gunicorn on loopback, load apart."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
from io import TextIOBase
from pathlib import Path

from moderation.bench.stack import cpu_seconds, run_load
from moderation.bench.suites import BenchOptions, suite
from project.devstack import BASE_DIR, LOOPBACK, Service, free_port, port_accepts

# Run in the bench server's own database: a site and a key whose limit the load never reaches.
_SETUP = """
from moderation.keys.services import api_key_create
from moderation.models import Site
site, _ = Site.objects.get_or_create(domain="bench.localhost", defaults={"name": "Bench"})
api_key, secret = api_key_create(site=site, name="bench")
api_key.rate_limit_per_second = 1_000_000
api_key.save()
print(secret)
"""


def _server_env(workdir: Path) -> dict[str, str]:
    """Production settings (DEBUG off), without TLS, on a database of the bench's own."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "VAR_DIR": str(workdir),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": LOOPBACK,
        "DJANGO_HTTPS": "0",  # plain HTTP on loopback; production sits behind TLS
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(  # noqa: S603 - fixed manage.py commands
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        check=True,
        text=True,
        capture_output=True,
    ).stdout


@suite("perspective")
def run(options: BenchOptions, out: TextIOBase) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-perspective-") as tmp:
        workdir = Path(tmp)
        env = _server_env(workdir)
        _manage(env, "migrate", "--noinput")
        secret = _manage(env, "shell", "-c", _SETUP).strip().splitlines()[-1]
        port = free_port()
        # --preload: the app, and so the models (see project/wsgi.py), load once before forking.
        command = [
            sys.executable, "-m", "gunicorn", "project.wsgi:application",
            "--bind", f"{LOOPBACK}:{port}",
            "--workers", str(options.workers),
            "--preload",
        ]  # fmt: skip
        server = Service("gunicorn", command, env=env, log_path=workdir / "gunicorn.log")
        server.start()
        try:
            server.wait_until(
                lambda: port_accepts(LOOPBACK, port), what="gunicorn listening", timeout=120
            )
            url = f"http://{LOOPBACK}:{port}/v1alpha1/comments:analyze?key={secret}"
            cpu_before = cpu_seconds(server)
            result = run_load(
                url=url,
                kind="perspective",
                rate=options.rate,
                duration=options.duration,
                concurrency=options.concurrency,
                saturate_seconds=options.saturate_seconds,
            )
            cpu_used = cpu_seconds(server) - cpu_before
        finally:
            server.stop()
    # Other processes share the machine: their load explains much of any spread in the figures.
    load_average = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    fixed, saturated = result["fixed_rate"], result["saturated"]

    def errors(phase: dict) -> str:
        # 400s are texts the language detector is sure are not English, as Perspective refuses.
        by_status = ", ".join(
            f"{n} x {s or 'no answer'}" for s, n in phase["error_statuses"].items()
        )
        return f"{phase['errors']} errors ({by_status})" if phase["errors"] else "0 errors"

    out.write(
        f"perspective: POST /v1alpha1/comments:analyze (TOXICITY, INSULT, IDENTITY_ATTACK, SPAM; "
        f"language detected) over HTTP, gunicorn with {options.workers} sync workers on "
        f"{LOOPBACK}, load from a separate process; machine load average {load_average} on "
        f"{os.cpu_count()} CPUs\n"
    )
    out.write(
        f"  at {fixed['rate']:g} req/s for {fixed['seconds']:g} s: {fixed['requests']} requests, "
        f"{errors(fixed)}, p50 {fixed['p50_ms']:.1f} ms, p99 {fixed['p99_ms']:.1f} ms, "
        f"max {fixed['max_ms']:.1f} ms\n"
    )
    out.write(
        f"  as fast as {saturated['clients']} clients go ({saturated['seconds']:g} s): "
        f"{saturated['requests_per_second']:.0f} req/s, {errors(saturated)}, "
        f"p50 {saturated['p50_ms']:.1f} ms, p99 {saturated['p99_ms']:.1f} ms\n"
    )
    requests = result["warm_up"] + fixed["requests"] + saturated["requests"]
    out.write(
        f"  server CPU per request (both phases, all workers): "
        f"{cpu_used / requests * 1000:.1f} ms, so about {requests / cpu_used:.0f} req/s "
        "per free core\n"
    )
