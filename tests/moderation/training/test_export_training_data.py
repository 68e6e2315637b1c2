"""export_training_data: moderator decisions and suggestscore feedback as `--extra` CSV."""

import csv
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ml.data import load_labeled_csv
from moderation import services
from moderation.keys.services import api_key_create
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, ModeratorFactory, SiteFactory

pytestmark = pytest.mark.django_db


def _held(article, body: str, *, spam: float, toxicity: float):
    return CommentFactory(
        article=article,
        body=body,
        status=Comment.Status.HELD,
        spam_score=spam,
        toxicity_score=toxicity,
    )


def _export(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "extra.csv"
    call_command("export_training_data", "--out", str(out), *args)
    with out.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def decided(db):
    """On one site: an approved comment, a rejected insult and a rejected spam comment."""
    site = SiteFactory(domain="news.example.com")
    article = ArticleFactory(site=site)
    moderator = ModeratorFactory()
    fine = _held(article, "Fair point about the budget.", spam=0.2, toxicity=0.4)
    insult = _held(article, "You are an idiot.", spam=0.1, toxicity=0.7)
    spam = _held(article, "Win a phone at win.example", spam=0.8, toxicity=0.2)
    services.comment_approve(comment_id=fine.pk, moderator=moderator)
    services.comment_reject(comment_id=insult.pk, moderator=moderator)
    services.comment_reject(comment_id=spam.pk, moderator=moderator)
    return site


def test_moderator_decisions_become_labels_for_the_model_they_concern(decided, tmp_path):
    toxicity = {r["text"]: r["label"] for r in _export(tmp_path, "--model", "toxicity")}
    assert toxicity == {"Fair point about the budget.": "0", "You are an idiot.": "1"}
    spam = {r["text"]: r["label"] for r in _export(tmp_path, "--model", "spam")}
    assert spam == {"Fair point about the budget.": "0", "Win a phone at win.example": "1"}


def test_the_latest_moderator_decision_wins_and_system_decisions_are_not_labels(decided, tmp_path):
    comment = Comment.objects.get(body="You are an idiot.")
    services.comment_moderate(
        comment_id=comment.pk, to_status=Comment.Status.APPROVED, moderator=ModeratorFactory()
    )
    CommentFactory(article=comment.article, body="scored only", status=Comment.Status.APPROVED)
    rows = {r["text"]: r["label"] for r in _export(tmp_path)}
    assert rows["You are an idiot."] == "0"
    assert "scored only" not in rows


def test_suggestscore_feedback_is_exported_with_moderator_decisions(decided, client, tmp_path):
    _, secret = api_key_create(site=decided, name="CMS")
    body = {
        "comment": {"text": "Typical clueless reporter"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.8}}},
    }
    response = client.post(
        f"/v1alpha1/comments:suggestscore?key={secret}",
        json.dumps(body),
        content_type="application/json",
    )
    assert response.status_code == 200
    rows = {r["text"]: r["label"] for r in _export(tmp_path, "--site", "news.example.com")}
    assert rows["Typical clueless reporter"] == "0.8"
    assert rows["You are an idiot."] == "1"
    # Feedback without a SPAM score says nothing to the spam model.
    spam_rows = {r["text"] for r in _export(tmp_path, "--model", "spam")}
    assert "Typical clueless reporter" not in spam_rows


def test_site_filter_keeps_other_sites_out(decided, tmp_path):
    other = ArticleFactory(site=SiteFactory(domain="other.example.com"))
    stranger = _held(other, "Other site's insult", spam=0.1, toxicity=0.9)
    services.comment_reject(comment_id=stranger.pk, moderator=ModeratorFactory())
    texts = {r["text"] for r in _export(tmp_path, "--site", "news.example.com")}
    assert "Other site's insult" not in texts and "You are an idiot." in texts
    assert "Other site's insult" in {r["text"] for r in _export(tmp_path)}


def test_the_csv_is_what_ml_train_extra_reads(decided, tmp_path):
    _export(tmp_path)
    examples = load_labeled_csv(tmp_path / "extra.csv", "toxicity")
    assert sorted(e.labels["toxicity"] for e in examples) == [0.0, 1.0]


def test_an_unknown_site_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere\.example"):
        call_command(
            "export_training_data", "--out", str(tmp_path / "x.csv"), "--site", "nowhere.example"
        )


def test_reject_as_spam_and_as_abuse_are_distinct_labels(db, tmp_path):
    article = ArticleFactory(site=SiteFactory(domain="labels.example.com"))
    moderator = ModeratorFactory()
    # The scores point the other way: the moderator's kind of rejection decides.
    abuse = _held(article, "You absolute clown.", spam=0.9, toxicity=0.1)
    spam = _held(article, "Cheap pills at pills.example", spam=0.1, toxicity=0.9)
    for comment, kind in ((abuse, "abuse"), (spam, "spam")):
        services.comment_moderate(
            comment_id=comment.pk,
            to_status=Comment.Status.REJECTED,
            moderator=moderator,
            label=kind,
        )
    toxicity = {r["text"]: r["label"] for r in _export(tmp_path, "--model", "toxicity")}
    assert toxicity == {"You absolute clown.": "1"}
    spam_rows = {r["text"]: r["label"] for r in _export(tmp_path, "--model", "spam")}
    assert spam_rows == {"Cheap pills at pills.example": "1"}


def test_rows_carry_scores_versions_automatic_decision_moderator_and_time(db, tmp_path):
    article = ArticleFactory(site=SiteFactory(domain="context.example.com"))
    moderator = ModeratorFactory(username="maria")
    comment = CommentFactory(article=article, body="Held by the model, approved by Maria.")
    services.comment_transition(
        comment=comment,
        to_status=Comment.Status.HELD,
        actor="system",
        reason="Held: toxicity 0.50 ≥ publish threshold 0.35.",
        fields={
            "toxicity_score": 0.5,
            "spam_score": 0.1,
            "scores": {"toxicity": 0.5, "spam": 0.1},
            "model_versions": {"toxicity": "toxicity-x", "spam": "spam-y"},
            "decision_label": "toxicity",
        },
    )
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    [row] = _export(tmp_path)
    assert row["label"] == "0" and row["decision"] == "approved"
    assert row["automatic_decision"] == "held" and row["automatic_label"] == "toxicity"
    assert row["toxicity_score"] == "0.5" and row["spam_score"] == "0.1"
    assert row["model_versions"] == "spam=spam-y;toxicity=toxicity-x"
    assert row["moderator"] == "maria" and row["decided_at"].startswith("20")


def test_an_undone_decision_is_no_label(db, tmp_path):
    article = ArticleFactory(site=SiteFactory(domain="undo.example.com"))
    moderator = ModeratorFactory()
    comment = _held(article, "Changed my mind.", spam=0.1, toxicity=0.6)
    services.comment_reject(comment_id=comment.pk, moderator=moderator)
    services.comment_decision_undo(moderator=moderator)
    assert _export(tmp_path) == []
