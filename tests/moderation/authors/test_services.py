"""Trust and bans: what they do to new comments, to comments already in, and to the logs."""

import itertools

import pytest

from moderation import services
from moderation.authors.hashing import comment_ip_hashes
from moderation.authors.models import AuthorAction, AuthorBan
from moderation.authors.services import (
    author_ban,
    author_ban_from_comment,
    author_ban_lift,
    author_trust,
    author_untrust,
)
from moderation.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from moderation.models import Actor, Comment
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory, group_member

pytestmark = pytest.mark.django_db
Status = Comment.Status
Kind = AuthorBan.Kind


_questions = itertools.count(1)


def submit_and_score(article, *, email="ana@example.org", ip="203.0.113.7"):
    # A new question each time: the same text again from the same author is a duplicate.
    comment, _ = services.comment_submit(
        article_id=article.pk,
        author_name="Ana",
        author_email=email,
        body=f"Who audits the prisons once the fee is paid? Question {next(_questions)}.",
        ip_address=ip,
    )
    services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    return comment


@pytest.fixture
def between_thresholds(fake_scores):
    """Scores every comment would be held for: spam between publish (0.3) and reject (0.9)."""
    return fake_scores(spam=0.5, toxicity=0.1)


# --- trust -----------------------------------------------------------------------------------
def test_a_trusted_authors_comment_is_published_where_it_would_be_held(
    article, moderator, between_thresholds
):
    assert submit_and_score(article).status == Status.HELD
    author_trust(email="Ana@Example.org", moderator=moderator, note="long-time reader")
    comment = submit_and_score(article, email="ana@EXAMPLE.org")
    assert comment.status == Status.APPROVED
    assert "trusted author" in comment.decision_reason
    assert comment.events.get().details["trusted_author"] is True


def test_trust_never_saves_a_comment_a_model_is_sure_about(article, moderator, fake_scores):
    fake_scores(spam=0.95, toxicity=0.1)
    author_trust(email="ana@example.org", moderator=moderator)
    assert submit_and_score(article).status == Status.REJECTED


def test_trust_on_one_site_does_not_reach_another(moderator, between_thresholds):
    ours, theirs = ArticleFactory(), ArticleFactory()
    author_trust(email="ana@example.org", moderator=moderator, site=ours.site)
    assert submit_and_score(ours).status == Status.APPROVED
    assert submit_and_score(theirs).status == Status.HELD


def test_withdrawn_trust_holds_again_and_both_steps_are_logged(
    article, moderator, between_thresholds
):
    trust = author_trust(email="ana@example.org", moderator=moderator, note="regular")
    author_untrust(trust_id=trust.pk, moderator=moderator, note="changed their tone")
    assert submit_and_score(article).status == Status.HELD
    log = AuthorAction.objects.filter(trust=trust).order_by("created_at", "id")
    assert [(a.action, a.moderator, a.note) for a in log] == [
        ("trust", moderator, "regular"),
        ("untrust", moderator, "changed their tone"),
    ]
    with pytest.raises(ConflictError):
        author_untrust(trust_id=trust.pk, moderator=moderator)


def test_trusting_twice_is_a_conflict_and_a_bad_email_names_the_field(moderator):
    author_trust(email="ana@example.org", moderator=moderator)
    with pytest.raises(ConflictError):
        author_trust(email="ANA@example.org", moderator=moderator)
    with pytest.raises(ApplicationError) as error:
        author_trust(email="not an email", moderator=moderator)
    assert "email" in error.value.fields


# --- bans on new comments --------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind, value, email, ip",
    [
        (Kind.EMAIL, "Spammer@Example.org", "spammer@example.org", "198.51.100.1"),
        (Kind.DOMAIN, "spam.example", "anyone@SPAM.example", "198.51.100.1"),
        (Kind.IP, "203.0.113.7", "fresh@example.org", "203.0.113.7"),
        (Kind.NETWORK, "203.0.113.0/24", "fresh@example.org", "203.0.113.250"),
        (Kind.NETWORK, "203.0.113.99", "fresh@example.org", "203.0.113.1"),
        (Kind.IP, "2001:db8:1:2::7", "fresh@example.org", "2001:db8:1:2::7"),
        (Kind.NETWORK, "2001:db8:1:2::/64", "fresh@example.org", "2001:db8:1:2:abcd::9"),
    ],
)
def test_a_banned_authors_new_comment_is_kept_and_rejected_naming_the_ban(
    article, moderator, fake_scores, kind, value, email, ip
):
    calls = fake_scores(spam=0.0, toxicity=0.0)
    ban, _ = author_ban(kind=kind, value=value, moderator=moderator)
    comment = submit_and_score(article, email=email, ip=ip)
    assert comment.status == Status.REJECTED
    assert f"{kind} ban #{ban.pk}" in comment.decision_reason
    event = comment.events.get()
    assert (event.actor, event.label, event.details["ban_id"]) == (Actor.SYSTEM, "ban", ban.pk)
    assert calls == []  # not worth scoring


@pytest.mark.parametrize(
    "kind, value, email, ip",
    [
        (Kind.EMAIL, "spammer@example.org", "spammer2@example.org", "198.51.100.1"),
        (Kind.DOMAIN, "spam.example", "anyone@notspam.example", "198.51.100.1"),
        (Kind.IP, "203.0.113.7", "fresh@example.org", "203.0.113.8"),
        (Kind.NETWORK, "203.0.113.0/24", "fresh@example.org", "203.0.112.255"),
        (Kind.NETWORK, "2001:db8:1:2::/64", "fresh@example.org", "2001:db8:1:3::1"),
    ],
)
def test_a_ban_does_not_reach_its_neighbours(
    article, moderator, fake_scores, kind, value, email, ip
):
    fake_scores(spam=0.0, toxicity=0.0)
    author_ban(kind=kind, value=value, moderator=moderator)
    assert submit_and_score(article, email=email, ip=ip).status == Status.APPROVED


def test_ip_bans_store_only_keyed_hashes(moderator):
    ban, _ = author_ban(kind=Kind.NETWORK, value="203.0.113.0/24", moderator=moderator)
    single, _ = author_ban(kind=Kind.IP, value="198.51.100.23", moderator=moderator)
    for stored in (ban, single):
        stored.refresh_from_db()
        assert "203.0.113" not in stored.key + stored.display
        assert "198.51.100" not in stored.key + stored.display


def test_ip_bans_match_comments_stored_with_hashes_only(article, moderator, fake_scores):
    """Once plain addresses are no longer stored, the hashes alone still match."""
    fake_scores(spam=0.0, toxicity=0.0)
    author_ban(kind=Kind.NETWORK, value="203.0.113.0/24", moderator=moderator)
    comment, _ = services.comment_submit(
        article_id=article.pk,
        author_name="Ana",
        author_email="fresh@example.org",
        body="Hello",
        ip_address="203.0.113.50",
    )
    Comment.objects.filter(pk=comment.pk).update(ip_address=None)
    services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_a_site_ban_does_not_reach_other_sites(moderator, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    ours, theirs = ArticleFactory(), ArticleFactory()
    author_ban(kind=Kind.EMAIL, value="ana@example.org", moderator=moderator, site=ours.site)
    assert submit_and_score(ours).status == Status.REJECTED
    assert submit_and_score(theirs).status == Status.APPROVED


@pytest.mark.parametrize(
    "kind, value",
    [
        (Kind.EMAIL, "nobody"),
        (Kind.DOMAIN, "not a domain"),
        (Kind.IP, "999.1.1.1"),
        (Kind.NETWORK, "203.0.0.0/16"),
        (Kind.NETWORK, "2001:db8::/48"),
    ],
)
def test_a_bad_ban_value_is_refused_naming_the_field(moderator, kind, value):
    with pytest.raises(ApplicationError) as error:
        author_ban(kind=kind, value=value, moderator=moderator)
    assert error.value.status_code == 400 and "value" in error.value.fields
    assert not AuthorBan.objects.exists()


def test_banning_the_same_thing_twice_is_a_conflict(moderator):
    author_ban(kind=Kind.NETWORK, value="203.0.113.7", moderator=moderator)
    with pytest.raises(ConflictError):
        author_ban(kind=Kind.NETWORK, value="203.0.113.0/24", moderator=moderator)


# --- rejecting what is already in ------------------------------------------------------------
def test_a_ban_can_reject_their_pending_held_and_published_comments_at_once(moderator):
    article = ArticleFactory()
    theirs = {
        status: CommentFactory(article=article, author_email="troll@example.org", status=status)
        for status in (Status.PENDING, Status.HELD, Status.APPROVED, Status.REJECTED)
    }
    bystander = CommentFactory(article=article, status=Status.APPROVED)
    ban, rejected = author_ban(
        kind=Kind.EMAIL, value="troll@example.org", moderator=moderator, reject_existing=True
    )
    assert rejected == 3
    for status, comment in theirs.items():
        comment.refresh_from_db()
        assert comment.status == Status.REJECTED
        events = list(comment.events.all())
        if status == Status.REJECTED:
            assert events == []  # already rejected: nothing to log
        else:
            [event] = events
            assert (event.from_status, event.moderator, event.label) == (status, moderator, "ban")
            assert f"ban #{ban.pk}" in event.reason
    bystander.refresh_from_db()
    assert bystander.status == Status.APPROVED
    [logged] = AuthorAction.objects.filter(ban=ban)
    assert logged.details == {"rejected_existing": True, "comments_rejected": 3}


def test_a_network_ban_rejects_existing_comments_from_the_whole_network(moderator):
    inside = CommentFactory(status=Status.HELD, ip_address="203.0.113.9")
    outside = CommentFactory(status=Status.HELD, ip_address="203.0.114.9")
    for comment in (inside, outside):  # factories bypass comment_submit, which sets the hashes
        comment.ip_hash, comment.ip_network_hash = comment_ip_hashes(comment.ip_address)
        comment.save()
    _, rejected = author_ban(
        kind=Kind.NETWORK, value="203.0.113.0/24", moderator=moderator, reject_existing=True
    )
    assert rejected == 1
    inside.refresh_from_db()
    outside.refresh_from_db()
    assert (inside.status, outside.status) == (Status.REJECTED, Status.HELD)


def test_without_the_option_existing_comments_stay_as_they_are(moderator):
    comment = CommentFactory(status=Status.APPROVED, author_email="troll@example.org")
    _, rejected = author_ban(kind=Kind.EMAIL, value="troll@example.org", moderator=moderator)
    comment.refresh_from_db()
    assert (rejected, comment.status) == (0, Status.APPROVED)


# --- lifting ---------------------------------------------------------------------------------
def test_a_lifted_ban_lets_new_comments_through_and_both_steps_are_logged(
    article, moderator, fake_scores
):
    fake_scores(spam=0.0, toxicity=0.0)
    ban, _ = author_ban(kind=Kind.DOMAIN, value="example.org", moderator=moderator, note="flood")
    assert submit_and_score(article).status == Status.REJECTED
    author_ban_lift(ban_id=ban.pk, moderator=moderator, note="flood over")
    assert submit_and_score(article).status == Status.APPROVED
    log = AuthorAction.objects.filter(ban=ban).order_by("created_at", "id")
    assert [(a.action, a.note) for a in log] == [("ban", "flood"), ("lift_ban", "flood over")]
    with pytest.raises(ConflictError):
        author_ban_lift(ban_id=ban.pk, moderator=moderator)


def test_the_author_log_is_append_only(moderator):
    ban, _ = author_ban(kind=Kind.EMAIL, value="troll@example.org", moderator=moderator)
    action = AuthorAction.objects.get()
    for attempt in (
        action.delete,
        action.save,
        AuthorAction.objects.all().delete,
        lambda: AuthorAction.objects.update(note="rewritten"),
    ):
        with pytest.raises(ValueError, match="append-only"):
            attempt()
    with pytest.raises(Exception, match="protected"):
        ban.delete()


# --- who may ---------------------------------------------------------------------------------
def test_a_scoped_moderator_bans_and_trusts_on_their_sites_only(moderator):
    ours, theirs = SiteFactory(), SiteFactory()
    scoped = group_member("Moderators", sites=[ours])
    for act in (
        lambda site: author_ban(
            kind=Kind.EMAIL, value="x@example.org", moderator=scoped, site=site
        ),
        lambda site: author_trust(email="y@example.org", moderator=scoped, site=site),
    ):
        for site in (None, theirs):
            with pytest.raises(PermissionDeniedError):
                act(site)
        act(ours)
    global_ban, _ = author_ban(kind=Kind.EMAIL, value="z@example.org", moderator=moderator)
    with pytest.raises(PermissionDeniedError):
        author_ban_lift(ban_id=global_ban.pk, moderator=scoped)


def test_a_scoped_moderators_ban_rejects_only_their_sites_comments():
    ours, theirs = ArticleFactory(), ArticleFactory()
    scoped = group_member("Moderators", sites=[ours.site])
    mine = CommentFactory(article=ours, author_email="troll@example.org", status=Status.HELD)
    other = CommentFactory(article=theirs, author_email="troll@example.org", status=Status.HELD)
    _, rejected = author_ban(
        kind=Kind.EMAIL,
        value="troll@example.org",
        moderator=scoped,
        site=ours.site,
        reject_existing=True,
    )
    mine.refresh_from_db()
    other.refresh_from_db()
    assert (rejected, mine.status, other.status) == (1, Status.REJECTED, Status.HELD)


def test_managing_authors_needs_the_moderate_permission(staff):
    with pytest.raises(PermissionDeniedError):
        author_ban(kind=Kind.EMAIL, value="x@example.org", moderator=staff)
    with pytest.raises(PermissionDeniedError):
        author_trust(email="x@example.org", moderator=staff)


# --- banning from a comment ------------------------------------------------------------------
def test_a_comments_network_is_banned_from_its_hashes_alone(article, moderator, fake_scores):
    fake_scores(spam=0.0, toxicity=0.0)
    first = submit_and_score(article, ip="203.0.113.7")
    Comment.objects.filter(pk=first.pk).update(ip_address=None)  # as once only hashes are kept
    ban, _ = author_ban_from_comment(comment_id=first.pk, kind=Kind.NETWORK, moderator=moderator)
    assert ban.display == f"network of comment #{first.pk} (hashed)"
    assert submit_and_score(article, email="new@example.org", ip="203.0.113.200").status == (
        Status.REJECTED
    )
    assert submit_and_score(article, email="new@example.org", ip="203.0.114.1").status == (
        Status.APPROVED
    )
    assert AuthorAction.objects.get(ban=ban).details["from_comment"] == first.pk


def test_banning_from_a_comment_by_email_can_reject_the_rest(moderator):
    comment = CommentFactory(status=Status.HELD, author_email="Troll@Example.org")
    other = CommentFactory(status=Status.APPROVED, author_email="troll@example.org")
    ban, rejected = author_ban_from_comment(
        comment_id=comment.pk, kind=Kind.EMAIL, moderator=moderator, reject_existing=True
    )
    assert (ban.key, rejected) == ("troll@example.org", 2)
    other.refresh_from_db()
    assert other.status == Status.REJECTED


def test_banning_from_a_comment_outside_ones_sites_or_without_an_address_is_refused():
    ours, theirs = ArticleFactory(), ArticleFactory()
    scoped = group_member("Moderators", sites=[ours.site])
    their_comment = CommentFactory(article=theirs)
    with pytest.raises(NotFoundError):
        author_ban_from_comment(
            comment_id=their_comment.pk, kind=Kind.EMAIL, moderator=scoped, site=ours.site
        )
    no_address = CommentFactory(article=ours, ip_address=None)
    with pytest.raises(ApplicationError) as error:
        author_ban_from_comment(
            comment_id=no_address.pk, kind=Kind.IP, moderator=scoped, site=ours.site
        )
    assert "kind" in error.value.fields
    assert not AuthorBan.objects.exists()
