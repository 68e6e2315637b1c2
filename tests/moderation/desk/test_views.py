"""The queue page and its JSON actions, through Django's test client."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from moderation import policy, scoring
from moderation.models import Comment, ModerationEvent, SiteMembership, SiteThreshold
from tests.moderation.desk.conftest import held_comment
from tests.moderation.factories import (
    ArticleFactory,
    CommentFactory,
    ModeratorFactory,
    SiteFactory,
    StaffFactory,
    group_member,
)

pytestmark = pytest.mark.django_db
Status = Comment.Status
QUEUE = "/admin/moderation/moderationqueue/"
DECIDE = QUEUE + "decide/"
UNDO = QUEUE + "undo/"


def decide(client, ids, action, note=""):
    payload = {"comment_ids": ids, "action": action, "note": note}
    return client.post(DECIDE, payload, content_type="application/json")


def card_ids(page) -> list[int]:
    return [card.comment.pk for card in page.context["cards"]]


# --- who may use it


def test_the_admin_index_links_the_queue_for_moderators(moderator_client):
    page = moderator_client.get("/admin/")
    assert b"Moderation queue" in page.content
    assert QUEUE.encode() in page.content


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    assert client.post(UNDO).status_code == 403


def test_staff_without_the_moderate_permission_is_refused_everywhere(client):
    comment = held_comment()
    client.force_login(StaffFactory())
    assert client.get(QUEUE).status_code == 403
    response = decide(client, [comment.pk], "approve")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert client.post(UNDO).status_code == 403
    assert b"Moderation queue" not in client.get("/admin/").content
    comment.refresh_from_db()
    assert comment.status == Status.HELD


def test_actions_need_the_csrf_token(moderator):
    comment = held_comment()
    client = Client(enforce_csrf_checks=True)
    client.force_login(moderator)
    response = decide(client, [comment.pk], "approve")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
    comment.refresh_from_db()
    assert comment.status == Status.HELD


# --- what the queue shows


def test_held_comments_come_first_most_likely_harmful_then_longest_waiting(moderator_client):
    now = timezone.now()
    old_mild = held_comment(spam_score=0.42, toxicity_score=0.1)
    new_harmful = held_comment(spam_score=0.2, toxicity_score=0.88)
    new_mild = held_comment(spam_score=0.45, toxicity_score=0.1)
    pending = CommentFactory(status=Status.PENDING)
    approved = CommentFactory(status=Status.APPROVED)
    for comment, age in [(old_mild, 9), (new_harmful, 1), (new_mild, 1), (pending, 30)]:
        Comment.objects.filter(pk=comment.pk).update(created_at=now - timedelta(hours=age))
    page = moderator_client.get(QUEUE, {"status": "all"})
    assert card_ids(page) == [new_harmful.pk, old_mild.pk, new_mild.pk, pending.pk, approved.pk]
    assert card_ids(moderator_client.get(QUEUE)) == [new_harmful.pk, old_mild.pk, new_mild.pk]


def test_each_card_shows_highlights_badges_reason_article_parent_and_history(moderator_client):
    parent = CommentFactory(status=Status.APPROVED, body="The parent says hello")
    comment = held_comment(
        article=parent.article, parent=parent, author_email="ana@example.org", body="Buy <cheap> x"
    )
    comment.explanation = {"spam": [{"feature": "cheap", "weight": 1.0, "start": 5, "end": 10}]}
    comment.save()
    CommentFactory(
        author_email="ana@example.org", status=Status.APPROVED, ip_address="198.51.100.9"
    )
    CommentFactory(author_email="bob@example.org", status=Status.REJECTED)  # same IP as comment
    html = moderator_client.get(QUEUE).content.decode()
    assert 'Buy &lt;<mark class="desk-hl desk-hl-spam"' in html
    assert ">cheap</mark>&gt; x" in html
    assert "desk-score desk-score-hold" in html  # spam 0.6 between the model's thresholds
    assert "The models are unsure whether it is spam" in html
    assert parent.article.url in html
    assert "In reply to <bdi>Ana Reader</bdi>:" in html and "The parent says hello" in html
    assert "1 approved, 1 held, 0 rejected" in html  # by e-mail
    assert "1 approved, 1 held, 1 rejected" in html  # by IP 203.0.113.7
    assert "/admin/moderation/comment/?author_email=ana%40example.org" in html
    assert f"/admin/moderation/comment/?ip_hash={comment.ip_hash}" in html
    assert comment.ip_hash and "203.0.113.7" in html  # still within its retention period


def test_a_card_explains_what_the_worker_left_unexplained_once_and_keeps_it(
    moderator_client, monkeypatch
):
    comment = held_comment(explanation={})  # as a batch leaves it: spam holds it
    asked: list[set[str] | None] = []
    words = {"spam": [{"feature": "cheap", "weight": 1.2, "start": 4, "end": 9}]}

    def explain(text: str, models: set[str] | None = None) -> dict:
        asked.append(models)
        return words

    monkeypatch.setattr(scoring, "explanations_for_text", explain)
    html = moderator_client.get(QUEUE).content.decode()
    assert '<mark class="desk-hl desk-hl-spam"' in html and ">cheap</mark>" in html
    assert asked == [{"spam"}]  # only the model whose label held it
    comment.refresh_from_db()
    assert comment.explanation == words
    html = moderator_client.get(QUEUE).content.decode()
    assert ">cheap</mark>" in html and asked == [{"spam"}]  # the stored one, not computed again


def test_the_history_link_by_address_lists_that_addresss_comments_after_it_is_erased(client):
    client.force_login(group_member("Moderators"))
    comment = held_comment(ip_address="198.51.100.9")
    same = CommentFactory(ip_address="198.51.100.9", status=Status.REJECTED)
    CommentFactory(ip_address="198.51.100.10")  # a neighbour: another address
    Comment.objects.update(ip_address=None, user_agent="")  # past the retention period
    html = client.get(QUEUE).content.decode()
    link = f"/admin/moderation/comment/?ip_hash={comment.ip_hash}"
    assert link in html and "IP (hashed)" in html and "198.51.100.9" not in html
    listed = client.get(link).context["cl"].result_list
    assert sorted(c.pk for c in listed) == sorted([comment.pk, same.pk])


def test_counts_per_status_and_site_are_shown(moderator_client):
    site = SiteFactory(name="Daily Planet")
    article = ArticleFactory(site=site)
    CommentFactory.create_batch(3, article=article, status=Status.HELD)
    CommentFactory(article=article, status=Status.REJECTED)
    CommentFactory(status=Status.HELD)
    page = moderator_client.get(QUEUE)
    html = page.content.decode()
    assert "Daily Planet" in html
    assert f'data-count-site="{site.pk}" data-count-status="held">3<' in html
    assert f'data-count-site="{site.pk}" data-count-status="rejected">1<' in html
    assert 'data-count-site="all" data-count-status="held">4<' in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"label": "toxicity"}, ["abusive"]),
        ({"band": "high"}, ["abusive"]),
        ({"band": "medium"}, ["plain", "other-site"]),
        ({"q": "WIDGETS"}, ["plain"]),
        ({"q": "carol@"}, ["abusive"]),
        ({"status": "approved"}, ["published"]),
        ({"site": "OTHER"}, ["other-site"]),
        ({"article": "ARTICLE"}, ["plain", "abusive"]),
        ({"since": "TODAY"}, ["plain", "other-site"]),
        ({"until": "YESTERDAY"}, ["abusive"]),
        ({"rule": "links"}, ["plain"]),
        ({"rule": "markup"}, ["plain"]),
        ({"rule": "campaign"}, []),
    ],
)
def test_the_filters_narrow_the_queue(moderator_client, params, expected):
    article = ArticleFactory()
    comments = {
        "plain": held_comment(article=article, body="cheap widgets", fired_rules=",links,markup,"),
        "abusive": held_comment(
            article=article,
            toxicity_score=0.9,
            decision_label="toxicity",
            author_email="carol@example.org",
        ),
        "other-site": held_comment(),
        "published": CommentFactory(article=article, status=Status.APPROVED),
    }
    Comment.objects.filter(pk=comments["abusive"].pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    today = timezone.localdate()
    replacements = {
        "OTHER": comments["other-site"].article.site_id,
        "ARTICLE": article.pk,
        "TODAY": today.isoformat(),
        "YESTERDAY": (today - timedelta(days=1)).isoformat(),
    }
    query = {k: replacements.get(v, v) for k, v in params.items()}
    page = moderator_client.get(QUEUE, query)
    assert page.status_code == 200
    assert sorted(card_ids(page)) == sorted(comments[name].pk for name in expected)


def test_a_bad_filter_is_a_400_naming_the_field(moderator_client):
    page = moderator_client.get(QUEUE, {"band": "enormous", "since": "yesterday"})
    assert page.status_code == 400
    assert "band" in page.context["errors"] and "since" in page.context["errors"]
    assert b"band:" in page.content


def test_the_number_of_queries_does_not_grow_with_the_page(
    moderator_client, django_assert_num_queries
):
    def fill(count):
        sites = SiteFactory.create_batch(3)
        for i in range(count):
            article = ArticleFactory(site=sites[i % 3])
            parent = CommentFactory(article=article, status=Status.APPROVED)
            held_comment(article=article, parent=parent, ip_address=f"192.0.2.{i % 250}")

    fill(10)
    with CaptureQueriesContext(connection) as ten:
        page = moderator_client.get(QUEUE, {"per_page": 100})
    assert len(page.context["cards"]) == 10
    fill(90)
    with django_assert_num_queries(len(ten)):
        page = moderator_client.get(QUEUE, {"per_page": 100})
    assert len(page.context["cards"]) == 100


# --- decisions


@pytest.mark.parametrize(
    "start, action, status, label",
    [
        (Status.HELD, "approve", Status.APPROVED, ""),
        (Status.HELD, "spam", Status.REJECTED, "spam"),
        (Status.HELD, "abuse", Status.REJECTED, "abuse"),
        (Status.APPROVED, "send_back", Status.HELD, ""),
        (Status.REJECTED, "send_back", Status.HELD, ""),
    ],
)
def test_each_action_moves_the_comment_and_writes_its_event(
    moderator_client, start, action, status, label
):
    comment = held_comment(status=start)
    response = decide(moderator_client, [comment.pk], action, note="  Checked the link.  ")
    assert response.status_code == 200
    body = response.json()
    assert body["decided"] == [
        {
            "id": comment.pk,
            "status": status,
            "status_display": Status(status).label,
            "decision_reason": "Checked the link.",
            "label": label,
        }
    ]
    assert body["counts"]["totals"][status] == 1
    comment.refresh_from_db()
    assert comment.status == status
    event = comment.events.get()
    assert (event.from_status, event.to_status, event.label) == (start, status, label)
    assert event.moderator == moderator_client.user
    assert event.reason == "Checked the link."


def test_without_a_note_the_reason_says_what_the_moderator_did(moderator_client):
    comment = held_comment()
    decide(moderator_client, [comment.pk], "abuse")
    assert comment.events.get().reason == "Rejected as abuse by a moderator."


def test_a_bulk_action_decides_the_selection_and_reports_what_it_left(moderator_client):
    held = [held_comment() for _ in range(3)]
    already = CommentFactory(status=Status.REJECTED)
    response = decide(moderator_client, [c.pk for c in held] + [already.pk], "spam", "Link farm")
    assert response.status_code == 200
    body = response.json()
    assert [d["id"] for d in body["decided"]] == [c.pk for c in held]
    assert body["refused"] == [
        {"id": already.pk, "message": "A rejected comment cannot be moved to rejected."}
    ]
    assert ModerationEvent.objects.filter(label="spam", reason="Link farm").count() == 3
    assert not already.events.exists()


def test_a_decision_answers_with_its_authors_new_history(moderator_client):
    comment = held_comment(author_email="ana@example.org", ip_address="198.51.100.9")
    CommentFactory(author_email="ana@example.org", status=Status.APPROVED)
    body = decide(moderator_client, [comment.pk], "abuse").json()
    assert body["histories"] == {
        "email": {"ana@example.org": "1 approved, 0 held, 1 rejected"},
        "ip": {comment.ip_hash: "0 approved, 0 held, 1 rejected"},
    }
    undone = moderator_client.post(UNDO, {}, content_type="application/json").json()
    assert undone["histories"]["email"] == {"ana@example.org": "1 approved, 1 held, 0 rejected"}


def test_a_card_states_each_threshold_once(moderator_client):
    held_comment(spam_score=0.6, toxicity_score=0.05)
    html = moderator_client.get(QUEUE).content.decode()
    reason = re.search(r'<p class="desk-reason">(.*?)</p>', html, re.S).group(1)
    bounds = policy.resolve_thresholds(scoring.default_thresholds(), {})["spam"]
    assert "The models are unsure whether it is spam" in reason
    # The recorded reason gives the thresholds; the plain words beside it do not repeat them.
    assert reason.count("publish threshold") == 1
    assert f"{bounds.publish:.3f}" not in reason and f"{bounds.reject:.3f}" not in reason


def test_a_card_whose_house_rules_fired_gives_their_reason_once(moderator_client):
    reason = "Held for review: links rule (3 links, at most 2)."
    held_comment(fired_rules=",links,", decision_reason=reason)
    html = moderator_client.get(QUEUE).content.decode()
    paragraph = re.search(r'<p class="desk-reason">(.*?)</p>', html, re.S).group(1)
    assert paragraph.count("links rule") == 1
    assert "Recorded: Held for review: links rule" in paragraph


def test_deciding_what_cannot_move_is_a_409_and_an_unknown_comment_a_404(moderator_client):
    approved = CommentFactory(status=Status.APPROVED)
    conflict = decide(moderator_client, [approved.pk], "approve")
    assert conflict.status_code == 409
    assert conflict.json()["error"]["fields"]["comment_ids"]
    missing = decide(moderator_client, [987654], "approve")
    assert missing.status_code == 404
    assert "987654" in missing.json()["error"]["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"comment_ids": [], "action": "approve"}, "comment_ids"),
        ({"comment_ids": ["x"], "action": "approve"}, "comment_ids.0"),
        ({"comment_ids": [1], "action": "delete"}, "action"),
        ({"comment_ids": [1], "action": "approve", "note": "n" * 1001}, "note"),
        ({"action": "approve"}, "comment_ids"),
    ],
)
def test_bad_decision_input_is_a_400_naming_the_field(moderator_client, payload, field):
    response = moderator_client.post(DECIDE, payload, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_undo_reverts_the_moderators_last_decision(moderator_client):
    first, second = held_comment(), held_comment()
    decide(moderator_client, [first.pk], "approve")
    decide(moderator_client, [second.pk], "spam")
    response = moderator_client.post(UNDO, content_type="application/json")
    assert response.status_code == 200
    body = response.json()
    assert body["undone"]["id"] == second.pk
    assert body["undone"]["status"] == Status.HELD
    second.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, second.status) == (Status.APPROVED, Status.HELD)
    undo_event = ModerationEvent.objects.get(pk=body["undone"]["event_id"])
    assert undo_event.label == "undo" and undo_event.undoes.label == "spam"


def test_undo_with_nothing_to_undo_is_a_404(moderator_client):
    response = moderator_client.post(UNDO, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "You have no decision left to undo."


def test_undo_never_touches_another_moderators_decision(moderator_client):
    comment = held_comment()
    other = Client()
    other.force_login(ModeratorFactory())
    decide(other, [comment.pk], "approve")
    assert moderator_client.post(UNDO).status_code == 404
    comment.refresh_from_db()
    assert comment.status == Status.APPROVED


# --- site scoping


@pytest.fixture
def two_sites():
    """Site "ours" and site "theirs", a held comment on each by the same author and address."""
    ours, theirs = SiteFactory(name="Ours"), SiteFactory(name="Theirs")
    author = {"author_email": "same@example.org", "ip_address": "192.0.2.7"}
    mine = held_comment(article=ArticleFactory(site=ours), **author)
    other = held_comment(article=ArticleFactory(site=theirs), **author)
    return ours, theirs, mine, other


@pytest.fixture
def scoped_client(client, two_sites):
    """A moderator who is a member of site "ours" only."""
    user = ModeratorFactory()
    SiteMembership.objects.create(user=user, site=two_sites[0])
    client.force_login(user)
    client.user = user
    return client


def test_a_scoped_moderator_sees_only_their_sites_comments_counts_and_history(
    scoped_client, two_sites
):
    _, theirs, mine, other = two_sites
    page = scoped_client.get(QUEUE, {"status": "all"})
    assert card_ids(page) == [mine.pk]
    assert f"comment-{other.pk}" not in page.content.decode()
    assert [row["name"] for row in page.context["count_rows"]] == ["Ours", ""]
    assert dict(page.context["count_rows"][-1]["cells"])["held"] == "1"
    [card] = page.context["cards"]
    assert card.email_history == card.ip_history == "0 approved, 1 held, 0 rejected"
    assert card_ids(scoped_client.get(QUEUE, {"site": theirs.pk})) == []


def test_a_scoped_moderator_cannot_decide_another_sites_comment(scoped_client, two_sites):
    _, _, mine, other = two_sites
    assert decide(scoped_client, [other.pk], "approve").status_code == 404
    response = decide(scoped_client, [mine.pk, other.pk], "spam")
    assert response.status_code == 200
    assert response.json()["refused"] == [
        {"id": other.pk, "message": f"There is no comment {other.pk}."}
    ]
    assert response.json()["counts"]["totals"]["rejected"] == 1
    other.refresh_from_db()
    assert other.status == Status.HELD
    assert not ModerationEvent.objects.filter(comment=other, moderator=scoped_client.user)


def test_undo_never_acts_on_a_comment_outside_the_moderators_sites(scoped_client, two_sites):
    _, theirs, mine, other = two_sites
    decide(scoped_client, [mine.pk], "approve")
    # Moved to the other site: the last decision is now on a comment they may not see.
    SiteMembership.objects.filter(user=scoped_client.user).update(site=theirs)
    response = scoped_client.post(UNDO, content_type="application/json")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.status == Status.APPROVED
    decide(scoped_client, [other.pk], "spam")
    assert scoped_client.post(UNDO).json()["undone"]["id"] == other.pk


def test_badges_follow_the_sites_own_thresholds(moderator_client):
    site = SiteFactory()
    SiteThreshold.objects.create(site=site, label="toxicity", publish_below=0.2, reject_above=None)
    SiteThreshold.objects.create(site=site, label="spam", publish_below=0.1, reject_above=0.5)
    held_comment(article=ArticleFactory(site=site), spam_score=0.6, toxicity_score=0.99)
    [card] = moderator_client.get(QUEUE).context["cards"]
    levels = {badge.label: badge.level for badge in card.badges}
    assert levels["toxicity"] == "hold"  # never rejected automatically on this site
    assert levels["spam"] == "reject"
    assert set(levels) == set(card.comment.scores)  # every scored label has a badge


# --- the comment's own page


def test_the_comment_page_has_the_decision_buttons_and_no_save_buttons(client):
    user = StaffFactory()
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    comment = held_comment()
    page = client.get(f"/admin/moderation/comment/{comment.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    for action in ("approve", "spam", "abuse", "send_back"):
        assert f'data-action="{action}"' in html
    assert 'id="desk-undo"' in html
    assert 'name="_save"' not in html and 'name="_continue"' not in html
    assert decide(client, [comment.pk], "abuse").status_code == 200
    assert comment.events.get().label == "abuse"
