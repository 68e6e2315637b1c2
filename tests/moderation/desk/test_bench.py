import io

import pytest
from django.core.management import CommandError, call_command

from moderation.desk import bench
from moderation.desk.bench import BenchRefused, bench_queue
from moderation.models import Comment, Site

pytestmark = pytest.mark.django_db


def test_the_queue_bench_refuses_a_database_that_is_not_postgresql(monkeypatch):
    monkeypatch.setattr(bench.connection, "vendor", "sqlite")
    with pytest.raises(BenchRefused, match="PostgreSQL"):
        bench_queue(comments=10, stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench", "--suite", "queue", "--comments", "10", stdout=out)
    assert "Queue bench skipped" in out.getvalue() and "--allow-sqlite" in out.getvalue()
    assert not Site.objects.exists()


def test_the_bench_command_checks_the_queue_options():
    with pytest.raises(CommandError, match="--comments"):
        call_command("bench", "--suite", "queue", "--comments", "0", stdout=io.StringIO())


def test_the_queue_bench_times_every_page_kind_and_leaves_nothing_behind():
    out = io.StringIO()
    results = bench_queue(comments=60, renders=2, allow_sqlite=True, stdout=out)
    assert results["comments"] == 60
    assert len(results["pages"]) == 5
    assert all(page["p50_ms"] > 0 for page in results["pages"].values())
    assert "p50" in out.getvalue() and "cleaned up" in out.getvalue()
    assert not Comment.objects.exists()
    assert not Site.objects.exists()
