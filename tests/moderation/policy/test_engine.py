"""The worker's whole decision: rules beside the models, named in the reason and the event."""

import pytest

from moderation import scoring, services
from moderation.authors.services import author_ban, author_trust
from moderation.models import Comment, ModerationEvent
from moderation.policy import history
from moderation.rules.models import CommentFingerprint, SiteRules
from tests.moderation.factories import ArticleFactory, CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_scores(fake_scores):
    """The models see nothing wrong: whatever holds or rejects is a rule."""
    return fake_scores(spam=0.01, toxicity=0.01)


def score(article, body, **fields) -> Comment:
    comment = CommentFactory.create(article=article, body=body, **fields)
    services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    return comment


def test_a_severe_phrase_holds_what_the_models_publish_and_is_named_everywhere(
    article, clean_scores
):
    comment = score(
        article, "Whoever signed this deal deserves a bullet, and I know where he lives."
    )
    assert comment.status == Status.HELD
    assert comment.decision_reason.startswith(
        "Held for review: severe phrase, threat of violence: “deserves a bullet”; severe phrase, "
        "exposure of where someone lives or works: “I know where he lives”; models: every label "
    )
    assert comment.fired_rules == ",severe_phrase,"
    assert comment.decision_label == "severe_phrase"
    details = ModerationEvent.objects.get(comment=comment).details
    assert [hit["category"] for hit in details["rules"]] == ["threat", "exposure"]
    assert details["scores"]["spam"] == 0.01


def test_a_quote_is_held_and_says_it_only_quotes(article, clean_scores):
    comment = score(article, 'Someone wrote "they are vermin" below. That has no place here.')
    assert comment.status == Status.HELD
    assert "quotes a severe phrase (dehumanisation: “are vermin”)" in comment.decision_reason


def test_ordinary_comments_stay_published_with_the_models_reason(article, clean_scores):
    comment = score(article, "I could kill for a coffee before this council meeting.")
    assert comment.status == Status.APPROVED and comment.fired_rules == ""
    assert comment.decision_reason.startswith("Published: every label below")


def test_a_banned_word_rejects_before_trust_and_without_scoring(article, moderator, fake_scores):
    calls = fake_scores(spam=0.01, toxicity=0.01)
    SiteRules.objects.create(site=article.site, banned_words="casino*")
    author_trust(email="ana@example.org", moderator=moderator)
    comment = score(article, "Visit the best casinos tonight", author_email="ana@example.org")
    assert comment.status == Status.REJECTED
    assert comment.decision_reason == "Rejected: banned word “casinos”."
    assert calls == []


def test_trust_publishes_what_a_soft_rule_would_hold(article, moderator, clean_scores):
    author_trust(email="ana@example.org", moderator=moderator)
    comment = score(article, "a.com b.com c.com", author_email="ana@example.org")
    assert comment.status == Status.APPROVED
    assert comment.decision_reason.startswith(
        "Published (trusted author): would be held for 3 links (more than 2)"
    )


def test_markup_payloads_are_held(article, clean_scores):
    assert score(article, "<script>document.location='//x.example'</script>").status == Status.HELD


def test_without_the_classifier_comments_are_held(article, monkeypatch):
    def unavailable(text):
        raise FileNotFoundError("no model artifact")

    monkeypatch.setattr(scoring, "scores_for_text", unavailable)
    comment = score(article, "A perfectly ordinary comment.")
    assert comment.status == Status.HELD
    assert comment.decision_reason == "Held for review: classifier unavailable."
    assert comment.scores == {}


# --- newcomers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "body", "held"),
    [
        ("off", "See example.com", False),
        ("always", "Hello there", True),
        ("link", "Hello there", False),
        ("link", "See example.com", True),
    ],
)
def test_newcomer_modes(article, clean_scores, mode, body, held):
    SiteRules.objects.create(site=article.site, newcomers=mode)
    comment = score(article, body, author_email="new@example.org")
    assert (comment.status == Status.HELD) is held
    assert ("newcomer" in comment.fired_rules) is held


def test_an_author_is_known_after_n_approved_comments_by_email(article, clean_scores):
    SiteRules.objects.create(site=article.site, newcomers="always", known_after=2)
    CommentFactory(article=article, author_email="ana@example.org", status=Status.APPROVED)
    assert score(article, "Second", author_email="ana@example.org").status == Status.HELD
    CommentFactory(article=article, author_email="ANA@example.org", status=Status.APPROVED)
    assert score(article, "Third", author_email="ana@example.org").status == Status.APPROVED


def test_trusted_and_banned_authors_take_precedence_over_the_newcomer_rule(
    article, moderator, clean_scores
):
    SiteRules.objects.create(site=article.site, newcomers="always")
    author_trust(email="trusted@example.org", moderator=moderator)
    assert score(article, "Hi", author_email="trusted@example.org").status == Status.APPROVED
    author_ban(kind="email", value="banned@example.org", moderator=moderator)
    banned = score(article, "Hi", author_email="banned@example.org")
    assert banned.status == Status.REJECTED and "newcomer" not in banned.decision_reason


# --- campaigns -------------------------------------------------------------------------------
CAMPAIGN = "The mayor lied about the tram budget, sign the petition at the town hall today!"
NEAR = [
    CAMPAIGN,
    "The mayor lied about the tram budjet, sign the petition at the town hall today!!",
    "The Mayor lied about the tram budget - sign the petition at the town hall today",
]


def test_nearly_the_same_text_from_three_authors_across_articles_is_held_as_a_campaign(
    clean_scores,
):
    site_article = ArticleFactory()
    other_article = ArticleFactory(site=site_article.site)
    first = score(site_article, NEAR[0], author_email="a@example.org")
    second = score(other_article, NEAR[1], author_email="b@example.org")
    assert first.status == second.status == Status.APPROVED
    third = score(site_article, NEAR[2], author_email="c@example.org")
    assert third.status == Status.HELD
    assert f"campaign #{first.pk}: the same or nearly the same text from 3 authors" in (
        third.decision_reason
    )
    members = CommentFingerprint.objects.filter(campaign_id=first.pk)
    assert set(members.values_list("comment_id", flat=True)) == {first.pk, second.pk, third.pk}


def test_one_author_repeating_or_different_texts_are_no_campaign(article, clean_scores):
    for n in range(3):
        assert score(article, NEAR[n], author_email="a@example.org").status == Status.APPROVED
    texts = [
        "The tram budget doubled and nobody on the council explained why it happened.",
        "Good reporting on the prison deal; I would like to know who inspects them.",
    ]
    for n, text in enumerate(texts):
        assert score(article, text, author_email=f"x{n}@example.org").status == Status.APPROVED


def test_the_signature_sees_a_few_changed_characters_as_the_same_text():
    own = history.signature(NEAR[0])
    assert own is not None
    assert list(history.similarities(own, [history.signature(t) for t in NEAR[1:]]) >= 0.6) == [
        True,
        True,
    ]
    other = history.signature("Completely different words about the football match last night.")
    assert history.similarities(own, [other])[0] < 0.3
    assert history.signature("Great article!") is None


def test_a_campaign_window_takes_more_comments_than_it_was_opened_for(db):
    site = ArticleFactory().site
    rules = SiteRules.objects.create(site=site, campaign_authors=3)
    article = ArticleFactory(site=site)
    window = history.CampaignWindow(rules, site_id=site.pk, comment_ids=[])
    comments = [
        CommentFactory(article=article, body=text, author_email=f"{who}@example.org")
        for text, who in zip(NEAR, "abc", strict=True)
    ]
    hits = [window.hits(comment) for comment in comments]
    assert hits[:2] == [[], []]
    assert [hit.rule for hit in hits[2]] == ["campaign"]
    assert window.matrix.shape == (3, history.SIGNATURE_SIZE)


def test_the_window_keeps_signatures_read_and_reads_again_an_id_used_for_another_fingerprint(
    db, django_assert_num_queries
):
    site = ArticleFactory().site
    rules = SiteRules.objects.create(site=site, campaign_authors=3)
    first, second = CommentFactory(article=ArticleFactory(site=site)), CommentFactory()
    size = history.SIGNATURE_SIZE
    stored = CommentFingerprint.objects.create(
        comment=first, site=site, author_email="a@example.org", signature=[1] * size
    )

    def signatures():
        read = history._window_read(rules, site_id=site.pk, exclude=[])
        return history._SIGNATURES.gather(read)[1].tolist()

    assert signatures() == [[1] * size]
    with django_assert_num_queries(1):  # the window's ids; the signature is not read again
        assert signatures() == [[1] * size]
    # The same id for another fingerprint (SQLite reuses the highest id of a deleted row).
    pk = stored.pk
    stored.delete()
    CommentFingerprint.objects.create(
        pk=pk, comment=second, site=site, author_email="b@example.org", signature=[2] * size
    )
    assert signatures() == [[2] * size]
