"""The campaign window (moderation.policy.history): the stored fingerprints a batch compares
with are read each batch as keys, their signatures kept by the process; deleted ones are never
compared again, late ones are, and campaigns are found across batches as one by one."""

import pytest

from moderation import batch
from moderation.models import Comment
from moderation.policy import history
from moderation.rules.models import CommentFingerprint, SiteRules
from tests.moderation.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status

NEAR = [
    "The mayor lied about the tram budget, sign the petition at the town hall today!",
    "The mayor lied about the tram budjet, sign the petition at the town hall today!!",
    "The Mayor lied about the tram budget - sign the petition at the town hall today",
    "the mayor lied about the tram budget; sign the petition at the town hall today.",
]
OTHER = "Good reporting on the prison deal; I would like to know who inspects them."


@pytest.fixture
def site_rules():
    site = ArticleFactory().site
    return SiteRules.objects.create(site=site, campaign_authors=3)


@pytest.fixture
def fresh_cache(monkeypatch):
    """A process that has kept no signature yet."""
    cache = history._Signatures()
    monkeypatch.setattr(history, "_SIGNATURES", cache)
    return cache


def comment(rules, text, who):
    return CommentFactory(
        article=ArticleFactory(site=rules.site), body=text, author_email=f"{who}@example.org"
    )


def decide_in_one_window(rules, comments) -> list[list]:
    """As a batch: one window, each comment compared in order, the fingerprints saved."""
    window = history.CampaignWindow(
        rules, site_id=rules.site_id, comment_ids=[c.pk for c in comments]
    )
    hits = [window.hits(c) for c in comments]
    window.save({c.pk for c in comments})
    return hits


def test_a_campaign_is_found_across_batches_and_joined_by_later_ones(site_rules, models):
    first = comment(site_rules, NEAR[0], "a")
    second = comment(site_rules, NEAR[1], "b")
    assert set(batch.comments_score_batch(comment_id=first.pk, limit=2).values()) == {
        Status.APPROVED
    }
    third = comment(site_rules, NEAR[2], "c")
    assert batch.comments_score_batch(comment_id=third.pk, limit=1) == {third.pk: Status.HELD}
    fourth = comment(site_rules, NEAR[3], "d")
    assert batch.comments_score_batch(comment_id=fourth.pk, limit=1) == {fourth.pk: Status.HELD}

    third.refresh_from_db()
    fourth.refresh_from_db()
    assert f"campaign #{first.pk}: the same or nearly the same text from 3 authors" in (
        third.decision_reason
    )
    assert f"campaign #{first.pk}: the same or nearly the same text from 4 authors" in (
        fourth.decision_reason
    )
    members = CommentFingerprint.objects.filter(campaign_id=first.pk)
    assert set(members.values_list("comment_id", flat=True)) == {
        first.pk,
        second.pk,
        third.pk,
        fourth.pk,
    }


def test_a_fingerprint_deleted_between_batches_is_never_compared_again(site_rules, fresh_cache):
    first, second = comment(site_rules, NEAR[0], "a"), comment(site_rules, NEAR[1], "b")
    assert decide_in_one_window(site_rules, [first, second]) == [[], []]
    assert len(fresh_cache.index) == 0  # nothing read yet: the window was empty
    # Read once, so its signature is kept by the process.
    assert decide_in_one_window(site_rules, [comment(site_rules, OTHER, "x")]) == [[]]
    assert len(fresh_cache.index) == 2

    first.delete()  # its fingerprint goes with it (erasure of the comment)
    third = comment(site_rules, NEAR[2], "c")
    assert decide_in_one_window(site_rules, [third]) == [[]]  # two authors left: b and c
    assert not CommentFingerprint.objects.filter(campaign__isnull=False).exists()


def test_a_fingerprint_deleted_after_the_window_was_read_is_not_counted(site_rules):
    first, second = comment(site_rules, NEAR[0], "a"), comment(site_rules, NEAR[1], "b")
    decide_in_one_window(site_rules, [first, second])
    other, third = comment(site_rules, OTHER, "x"), comment(site_rules, NEAR[2], "c")
    window = history.CampaignWindow(
        site_rules, site_id=site_rules.site_id, comment_ids=[other.pk, third.pk]
    )
    assert window.hits(other) == []  # the window is read here, the first's signature in it
    assert window.matrix is not None and len(window.matrix) == 3
    first.delete()
    assert window.hits(third) == []  # found similar, but gone: b and c only


def test_a_fingerprint_committed_late_is_compared(site_rules, fresh_cache):
    first = comment(site_rules, NEAR[0], "a")
    decide_in_one_window(site_rules, [first])
    # This process reads the window and keeps the first's signature.
    decide_in_one_window(site_rules, [comment(site_rules, OTHER, "x")])
    # Another worker's batch commits a fingerprint stamped before the first's, with an id below
    # those this process has read since (its sequence value was taken earlier).
    late = comment(site_rules, NEAR[1], "b")
    stored = CommentFingerprint.objects.create(
        comment=late,
        site=site_rules.site,
        author_email=late.author_email,
        signature=history.signature(late.body),
    )
    first_at = CommentFingerprint.objects.get(comment=first).created_at
    CommentFingerprint.objects.filter(pk=stored.pk).update(created_at=first_at)
    fresh_cache.newest = stored.pk + 1000
    third = comment(site_rules, NEAR[2], "c")
    (hits,) = decide_in_one_window(site_rules, [third])
    assert [hit.rule for hit in hits] == ["campaign"]
    assert hits[0].detail == {"campaign": first.pk, "authors": 3, "members": 3}


def test_a_fingerprint_stored_since_the_last_read_comes_with_the_window(
    site_rules, fresh_cache, django_assert_num_queries
):
    decide_in_one_window(site_rules, [comment(site_rules, NEAR[0], "a")])
    other = comment(site_rules, OTHER, "x")
    decide_in_one_window(site_rules, [other])  # reads and keeps the first
    read = history._window_read(site_rules, site_id=site_rules.site_id, exclude=[])
    with django_assert_num_queries(0):  # the new one's signature came with the read
        keys, signatures = fresh_cache.gather(read)
    assert [history.key_id(key) for key in keys] == list(
        CommentFingerprint.objects.order_by("-created_at").values_list("pk", flat=True)
    )
    assert signatures.tolist()[0] == history.signature(OTHER)


def test_the_kept_signatures_are_bounded_and_stay_right_when_emptied(monkeypatch, fresh_cache):
    monkeypatch.setattr(history, "SIGNATURES_KEPT", 4)
    sites = []
    for n in range(3):
        rules = SiteRules.objects.create(site=ArticleFactory().site, campaign_authors=3)
        texts = [f"{OTHER} Site {n}, comment {i}, with words of its own." for i in range(3)]
        decide_in_one_window(rules, [comment(rules, text, f"s{n}") for text in texts])
        sites.append(rules)
    for _ in range(2):
        for rules in sites:
            read = history._window_read(rules, site_id=rules.site_id, exclude=[])
            keys, signatures = fresh_cache.gather(read)
            stored = dict(
                CommentFingerprint.objects.filter(site=rules.site).values_list("pk", "signature")
            )
            assert {
                history.key_id(key): row for key, row in zip(keys, signatures.tolist(), strict=True)
            } == (stored)
            assert len(fresh_cache.index) <= 4
