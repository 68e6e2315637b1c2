"""manage.py moderate_csv: the whole decision on a CSV, storing and sending nothing."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from moderation.authors.services import author_ban
from moderation.models import Comment, ModerationEvent
from moderation.rules.models import CommentFingerprint, SiteRules

pytestmark = pytest.mark.django_db

ROWS = [
    {"text": "Thanks for the clear reporting on the tram.", "kind": "fine", "author_email": ""},
    {"text": "He deserves a bullet.", "kind": "threat", "author_email": ""},
    {"text": "Best casinos here", "kind": "spam", "author_email": ""},
    {"text": "Hello from a banned reader", "kind": "fine", "author_email": "b@example.org"},
]


def run(tmp_path, article, rows=ROWS, **options):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = io.StringIO()
    call_command(
        "moderate_csv",
        site=article.site.domain,
        input=str(source),
        output=str(target),
        stdout=out,
        **options,
    )
    with target.open(newline="") as fh:
        return list(csv.DictReader(fh)), out.getvalue()


def test_each_row_gets_status_reason_rules_and_scores_and_nothing_is_stored(
    tmp_path, article, moderator, fake_scores
):
    fake_scores(spam=0.01, toxicity=0.01)
    SiteRules.objects.create(site=article.site, banned_words="casino*")
    author_ban(kind="email", value="b@example.org", moderator=moderator)
    decided, _ = run(tmp_path, article)
    assert [row["status"] for row in decided] == ["approved", "held", "rejected", "rejected"]
    assert decided[1]["rules"] == "severe_phrase"
    assert decided[2]["reason"] == "Rejected: banned word “casinos”."
    assert decided[3]["rules"] == "ban"
    assert decided[3]["reason"].startswith("Rejected: the author is banned (email ban #")
    assert decided[0]["score_spam"] == "0.01" and decided[0]["kind"] == "fine"
    assert decided[0]["not_applicable"] == "closed flood duplicate honeypot campaign"
    assert not Comment.objects.exists()
    assert not ModerationEvent.objects.exists() and not CommentFingerprint.objects.exists()


def test_the_label_column_prints_shares_per_value(tmp_path, article, fake_scores):
    fake_scores(spam=0.01, toxicity=0.01)
    _, printed = run(tmp_path, article, label_column="kind")
    lines = printed.splitlines()
    assert lines[1].split() == ["kind", "n", "published", "held", "rejected"]
    assert lines[2].split() == ["fine", "2", "100.0%", "0.0%", "0.0%"]
    assert lines[3].split() == ["threat", "1", "0.0%", "100.0%", "0.0%"]


def test_a_missing_site_or_column_is_a_clear_error(tmp_path, article):
    with pytest.raises(CommandError, match="No site with domain"):
        call_command("moderate_csv", site="nowhere.example", input="x", output="y")
    with pytest.raises(CommandError, match="no `text` column"):
        run(tmp_path, article, rows=[{"body": "x"}])
    with pytest.raises(CommandError, match="no 'label' column"):
        run(tmp_path, article, label_column="label")


@pytest.fixture
def small_field_limit():
    """csv's field limit is process-wide (the ml loaders raise it): a small one for this test."""
    before = csv.field_size_limit(1000)
    yield
    csv.field_size_limit(before)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"text,kind\nfine,a\nmore,than,named\n", r"in\.csv, line 3: 3 cells but the header names"),
        (b"text,kind\ncaf\xe9,a\n", r"in\.csv is not UTF-8 text \(invalid continuation byte"),
        (b"text,kind\n" + b"x" * 2_000 + b",a\n", r"in\.csv, line 2: not a CSV row \(field"),
    ],
    ids=["extra cells", "not utf-8", "oversized field"],
)
@pytest.mark.usefixtures("small_field_limit")
def test_a_malformed_file_is_a_clear_error_naming_the_line(tmp_path, article, content, message):
    source = tmp_path / "in.csv"
    source.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command(
            "moderate_csv",
            site=article.site.domain,
            input=str(source),
            output=str(tmp_path / "out.csv"),
            stdout=io.StringIO(),
        )
    assert not (tmp_path / "out.csv").exists()
