"""The api, latency and thread suites' own logic: bounds, the skip off PostgreSQL, the table,
the load generator's bodies, and the latencies read back. Nothing here is timed."""

import io
import json
import os
from dataclasses import replace
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from moderation.bench import load, report, stack
from moderation.bench.api import decision_latencies
from moderation.bench.report import Row
from moderation.bench.suites import BenchOptions
from moderation.bench.thread import REPLY_WINDOW, article_fill
from moderation.models import Comment
from project.cache import RedisCacheClient
from tests.moderation.factories import ArticleFactory, CommentFactory

POSTGRES_SUITES = ["api", "latency", "thread", "submit-profile", "worker-profile"]


@pytest.fixture
def not_postgresql(monkeypatch):
    """Whatever database the tests run on, the suites see one that is not PostgreSQL."""
    monkeypatch.setattr(stack, "connection", SimpleNamespace(vendor="sqlite"))


@pytest.mark.parametrize("name", POSTGRES_SUITES)
def test_the_suites_that_fill_the_database_skip_off_postgresql_saying_why(name, not_postgresql):
    out = io.StringIO()
    call_command("bench", "--suite", name, stdout=out)
    text = out.getvalue()
    assert f"{name} skipped" in text and "PostgreSQL only" in text and "DATABASE_URL" in text
    assert f"| {name} " in text and "DATABASE_URL is not PostgreSQL" in text  # the table's row


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--api-rate", "0"], "--api-rate"),
        (["--latency-rate", "900"], "--latency-rate"),
        (["--grace", "-1"], "--grace"),
        (["--grace", "3600"], "--grace"),
        (["--thread-comments", "5"], "--thread-comments"),
        (["--thread-rate", "0"], "--thread-rate"),
        (["--submissions", "5"], "--submissions"),
        (["--lone-batches", "5"], "--lone-batches"),
    ],
)
def test_options_out_of_bounds_are_refused_naming_the_option(args, named, not_postgresql):
    with pytest.raises(CommandError, match=named):
        call_command("bench", "--suite", "api", *args)


@pytest.mark.django_db
def test_output_writes_the_table_with_the_machine_it_came_from(tmp_path, not_postgresql):
    models = tmp_path / "models.txt"
    models.write_text("spam + toxicity   12,345 comments/s\n")
    target = tmp_path / "bench" / "latest.md"
    out = io.StringIO()
    call_command(
        "bench", "--suite", "thread", "--output", str(target), "--models-report", str(models),
        stdout=out,
    )  # fmt: skip
    text = target.read_text()
    fields = ("date", "commit", "cpus", "cpu speed", "load average", "python", "database")
    for field in (*fields, "redis", "sample texts"):
        assert f"- {field}: " in text
    assert "- load average at the end: " in text
    assert "| thread | skipped" in text
    assert "12,345 comments/s" in text  # the models' own figures, copied in
    assert "thread skipped" in text  # the suites' output, after the table
    assert f"Written to {target}" in out.getvalue()


def test_the_table_aligns_its_columns_escapes_pipes_and_says_which_targets_were_met():
    rows = [
        Row("api", "POST p95", "12.0 ms", "p95 < 50 ms", True),
        Row("thread", "a|b", "80.5 ms", "p95 < 50 ms", False),
        Row("api", "CPU", "web 3 ms"),
    ]
    lines = report.table(rows).splitlines()
    assert lines[0].startswith("| suite ") and set(lines[1]) <= {"|", "-", " "}
    assert len({len(line) for line in lines}) == 1  # padded: it reads as text too
    assert lines[2].rstrip(" |").endswith("met")
    assert "a\\|b" in lines[3] and "MISSED" in lines[3]
    assert lines[4].rstrip(" |").endswith("web 3 ms")


def test_the_speed_calibration_is_a_time_per_loop_iteration():
    # Per iteration, so the figure does not depend on the loop's length; positive and finite.
    speed = report.python_speed(iterations=20_000)
    assert 0 < speed < 10_000


def test_the_document_puts_the_machine_before_the_table(tmp_path):
    text = report.document(
        [Row("api", "errors", "0 errors", "0", True)],
        about={"cpus": "2", "redis": "Redis 7.0.15"},
        details="api: ...\n",
    )
    assert text.index("- cpus: 2") < text.index("| api ") < text.index("api: ...")
    report.write(tmp_path / "deep" / "latest.md", text)
    assert (tmp_path / "deep" / "latest.md").read_text() == text


def test_a_comment_body_is_what_the_api_takes_from_a_few_hundred_authors():
    first = json.loads(load.make_body("comment", "Who inspects the prisons?", 3))
    again = json.loads(load.make_body("comment", "Another text", 3 + load.AUTHORS))
    assert set(first) == {"author_name", "author_email", "body"}
    assert first["body"] == "Who inspects the prisons?"
    assert (
        first["author_email"]
        == again["author_email"]
        != json.loads(load.make_body("comment", "x", 4))["author_email"]
    )
    assert load.make_body("get", "ignored", 0) is None
    assert json.loads(load.make_body("perspective", "hi", 0))["comment"] == {"text": "hi"}
    with pytest.raises(ValueError, match="unknown kind"):
        load.make_body("put", "x", 0)


def test_percentiles_are_in_milliseconds_and_an_answer_names_its_id():
    figures = load.percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert figures["p50_ms"] == pytest.approx(50.5)
    assert figures["p95_ms"] == pytest.approx(95.05)
    assert figures["max_ms"] == 100.0
    assert load._answer_id(b'{"id": 42, "status": "pending"}') == 42
    assert load._answer_id(b"<html>") is None and load._answer_id(b'{"id": "x"}') is None
    assert load.Answer(202).ok and not load.Answer(429).ok and not load.Answer(0).ok


def test_the_load_generator_refuses_to_do_nothing():
    with pytest.raises(SystemExit):
        load.main(["--url", "http://127.0.0.1:9/x", "--duration", "0", "--saturate-seconds", "0"])


@pytest.mark.django_db
def test_decision_latencies_read_created_and_decided_times_from_the_database():
    now = timezone.now()
    decided = CommentFactory(status=Comment.Status.APPROVED)
    Comment.objects.filter(pk=decided.pk).update(
        created_at=now, decided_at=now + timedelta(milliseconds=80)
    )
    pending = CommentFactory()
    records = [
        {"due": now.timestamp() - 0.02, "status": 202, "id": decided.pk},
        {"due": now.timestamp(), "status": 202, "id": pending.pk},
        {"due": now.timestamp(), "status": 202, "id": 10**9},  # accepted, but never stored
        {"due": now.timestamp(), "status": 500, "id": None},  # an error: no comment to wait for
    ]
    stored, from_post, undecided = decision_latencies(records)
    assert stored == [pytest.approx(0.08)]
    assert from_post == [pytest.approx(0.10, abs=1e-3)]
    assert undecided == 2


@pytest.mark.django_db
def test_the_thread_suites_article_has_published_comments_with_nearby_replies():
    article = ArticleFactory()
    article_fill(article, 120)
    comments = list(Comment.objects.filter(article=article).order_by("created_at", "id"))
    assert len(comments) == 120
    assert {c.status for c in comments} == {Comment.Status.APPROVED}
    position = {c.pk: i for i, c in enumerate(comments)}
    replies = [c for c in comments if c.parent_id is not None]
    assert 10 < len(replies) < 70  # about 30% of them
    assert all(0 < position[c.pk] - position[c.parent_id] <= REPLY_WINDOW for c in replies)


def test_the_production_layout_suites_run_two_web_workers_per_cpu_unless_told(monkeypatch):
    options = BenchOptions(rate=50, duration=20, concurrency=4, saturate_seconds=10, workers=2)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert options.production_web_workers == 6
    assert replace(options, web_workers=5).production_web_workers == 5


def test_the_cache_keeps_one_redis_client_per_pool():
    client = RedisCacheClient(["redis://127.0.0.1:1/0"])  # nothing connects until a command
    assert client.get_client("a") is client.get_client("b", write=True)
