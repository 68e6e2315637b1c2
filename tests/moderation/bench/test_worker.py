"""The worker-profile suite: its stage timers, and one small real run on PostgreSQL."""

import io
import re
import time
from types import SimpleNamespace

import pytest
from django.db import connection

from moderation import scoring
from moderation.bench import worker
from moderation.bench.suites import BenchOptions
from moderation.models import Comment
from moderation.policy import history


def test_stage_timers_sum_each_functions_cpu_and_put_the_functions_back():
    def busy(seconds: float) -> str:
        start = time.process_time()
        while time.process_time() - start < seconds:
            pass
        return "done"

    owner = SimpleNamespace(busy=busy, idle=lambda: None)
    stages = {"busy": [(owner, "busy"), (owner, "not there")], "idle": [(owner, "idle")]}
    with worker.stage_cpu(stages) as spent:
        assert owner.busy(0.02) == "done" and owner.busy(0.01) == "done"
        owner.idle()
    assert spent["busy"] == pytest.approx(0.03, abs=0.01)
    assert spent["idle"] < 0.005
    assert owner.busy is busy  # restored


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the suite runs on PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_a_small_run_fills_the_window_and_prints_the_cpu_per_batch_and_its_stages(
    models, monkeypatch
):
    monkeypatch.setattr(history, "CANDIDATE_LIMIT", 20)
    monkeypatch.setattr(worker, "FILL_BATCH", 10)
    monkeypatch.setattr(worker, "WARM_UP", 2)
    monkeypatch.setattr(scoring, "models_ready", lambda: True)  # the fake models of `models`
    options = BenchOptions(
        rate=1, duration=1, concurrency=1, saturate_seconds=1, workers=1, lone_batches=10
    )
    out = io.StringIO()
    rows = worker.run_worker_profile(options, out)
    text = out.getvalue()
    window = r"on a site with [\d,]+ fingerprints \(the campaign window compares the newest 20\)"
    assert re.search(window, text), text
    assert re.search(r"CPU [\d.]+ ms per batch .* [\d.]+ queries per batch", text), text
    assert re.search(r"claim \(.*\) +[\d.]+ +\d+%", text), text
    assert re.search(r"notify: the batch's notification task +[\d.]+", text), text
    assert not Comment.objects.filter(status=Comment.Status.PENDING).exists()  # each decided
    (row,) = rows
    assert row.suite == "worker-profile" and re.fullmatch(r"[\d.]+ ms, [\d.]+ queries", row.value)
