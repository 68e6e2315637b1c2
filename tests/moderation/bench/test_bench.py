"""`manage.py bench`: its suites, its bounds, and one real (small) run of the perspective suite."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from moderation.bench import load
from moderation.bench.suites import SUITES


def test_the_command_registers_the_perspective_suite():
    import moderation.management.commands.bench  # noqa: F401 - imports the suites

    assert "perspective" in SUITES


def test_an_unknown_suite_is_refused_with_the_known_ones():
    with pytest.raises(CommandError, match="perspective"):
        call_command("bench", "--suite", "nope")


@pytest.mark.parametrize("args", [["--rate", "5000"], ["--duration", "0"], ["--duration", "600"]])
def test_load_beyond_the_bounds_is_refused(args):
    with pytest.raises(CommandError, match="--rate"):
        call_command("bench", "--suite", "perspective", *args)


@pytest.mark.parametrize(
    "url", ["http://example.com:80/x", "https://127.0.0.1:8443/x", "http://127.0.0.1/x"]
)
def test_the_load_generator_only_targets_a_loopback_port(url):
    with pytest.raises(SystemExit):
        load.main(["--url", url])


@pytest.mark.slow
def test_a_small_real_run_prints_throughput_and_latency():
    out = io.StringIO()
    call_command(
        "bench",
        "--suite",
        "perspective",
        "--rate",
        "10",
        "--duration",
        "2",
        "--saturate-seconds",
        "2",
        "--concurrency",
        "2",
        "--workers",
        "1",
        stdout=out,
    )
    text = out.getvalue()
    assert re.search(r"at 10 req/s for [\d.]+ s: 20 requests", text), text
    assert re.search(r"p50 [\d.]+ ms, p99 [\d.]+ ms", text), text
    assert re.search(r"\d+ req/s", text), text
