"""author_erase: an author's personal data goes, their comments' places and the decisions stay."""

import json

import pytest
from django.core.management import call_command
from django.db.models import Q

from moderation import services
from moderation.authors.models import AuthorAction, AuthorBan, AuthorTrust
from moderation.authors.services import author_ban, author_trust
from moderation.keys.services import api_key_create
from moderation.models import Comment, ModerationEvent
from moderation.notify import services as notify
from moderation.notify.models import CommentSubscription, Subscriber, WebhookMessage
from moderation.perspective.models import AnalyzedText, ScoreSuggestion
from moderation.privacy.models import PrivacyRequest
from moderation.privacy.services import author_erase
from moderation.rules.models import CommentFingerprint
from moderation.training.selectors import training_labels
from tests.moderation.privacy.conftest import ANA

pytestmark = pytest.mark.django_db
Status = Comment.Status


def thread_page(client, article) -> str:
    """The no-JavaScript thread page."""
    return client.get(f"/embed/{article.site.public_key}/{article.external_id}/").content.decode()


def test_their_comments_show_deleted_and_lose_every_personal_field(ana):
    call_command("author_erase", ANA)
    top = Comment.objects.get(pk=ana["top"].pk)
    assert (top.author_name, top.author_email, top.author_url) == ("[deleted]", "", "")
    assert (top.ip_address, top.ip_hash, top.ip_network_hash, top.user_agent) == (None, "", "", "")
    assert top.body == "Ana's own words about the prison fee."  # without --with-bodies
    assert top.status == Status.APPROVED
    elsewhere = Comment.objects.get(pk=ana["elsewhere"].pk)
    assert elsewhere.author_name == "[deleted]"  # every site without --site
    reply = Comment.objects.get(pk=ana["reply"].pk)
    assert (reply.parent_id, reply.author_name, reply.author_email) == (
        top.pk,
        "Bob",
        "bob@example.org",
    )


def test_their_campaign_fingerprints_go_and_others_stay(ana):
    def fingerprint(comment: Comment) -> CommentFingerprint:
        return CommentFingerprint.objects.create(
            comment=comment,
            site_id=comment.article.site_id,
            author_email=comment.author_email,
            signature=list(range(32)),
        )

    fingerprint(ana["top"]), fingerprint(ana["elsewhere"])
    bobs = fingerprint(ana["reply"])
    author_erase(email=ANA)
    assert list(CommentFingerprint.objects.values_list("pk", "author_email")) == [
        (bobs.pk, "bob@example.org")
    ]
    assert PrivacyRequest.objects.get().counts["fingerprints"] == 2


def test_with_bodies_the_texts_read_deleted_and_replies_keep_their_place(client, ana):
    article = ana["top"].article
    Comment.objects.filter(pk=ana["top"].pk).update(explanation={"spam": [{"feature": "fee"}]})
    call_command("author_erase", ANA, "--with-bodies", "--site", "ours.example.com")
    top = Comment.objects.get(pk=ana["top"].pk)
    assert (top.body, top.explanation) == ("[deleted]", {})
    assert Comment.objects.get(pk=ana["elsewhere"].pk).body == "Ana on another site."
    # The no-JavaScript thread page: the erased comment keeps its place, its reply stays under it.
    page = thread_page(client, article)
    assert page.count("[deleted]") >= 2 and "Bob answers Ana." in page
    for private in ("Ana Private", ANA, "ana-private.example.net", "Ana's own words"):
        assert private not in page


def test_a_moderators_rejection_still_shows_removed_not_deleted(client, ana, moderator):
    services.comment_reject(comment_id=ana["top"].pk, moderator=moderator)
    call_command("author_erase", ANA, "--with-bodies")
    article = ana["top"].article
    page = thread_page(client, article)
    assert "[removed]" in page and "Bob answers Ana." in page and "[deleted]" not in page


def test_their_subscriptions_and_subscriber_record_go(ana, ours):
    call_command("author_erase", ANA)
    assert not Subscriber.objects.filter(email__iexact=ANA).exists()
    assert not CommentSubscription.objects.exists()


def test_events_keep_their_decisions_without_personal_data(ana, moderator):
    before = list(ModerationEvent.objects.values_list("pk", "from_status", "to_status", "actor"))
    call_command("author_erase", ANA)
    event = ModerationEvent.objects.get(comment=ana["top"])
    assert (
        list(ModerationEvent.objects.values_list("pk", "from_status", "to_status", "actor"))
        == before
    )
    assert event.reason == "Checked with [deleted] by phone."
    assert event.moderator == moderator


def test_trusts_are_withdrawn_and_forget_the_address_but_email_bans_keep_it(ana, ours, moderator):
    trust = author_trust(email=ANA, moderator=moderator, site=ours, note=f"Knows {ANA}")
    ban, _ = author_ban(kind="email", value=ANA, moderator=moderator, site=None, note="Spam")
    call_command("author_erase", ANA, "--site", "ours.example.com")
    trust.refresh_from_db()
    assert (trust.email, trust.is_active, trust.note) == ("[deleted]", False, "Knows [deleted]")
    assert AuthorAction.objects.filter(trust=trust, action="untrust").exists()
    assert AuthorAction.objects.get(trust=trust, action="trust").note == "Knows [deleted]"
    assert AuthorBan.objects.get(pk=ban.pk).key == ANA  # what a new comment must still match
    assert not AuthorTrust.objects.filter(email__iexact=ANA).exists()


def test_site_erases_only_that_sites_data(ana, ours, theirs):
    other_subscriber = Subscriber.objects.create(site=theirs, email=ANA)
    record = author_erase(email=ANA, site=ours)
    assert Comment.objects.get(pk=ana["elsewhere"].pk).author_email == ANA
    assert Subscriber.objects.filter(pk=other_subscriber.pk).exists()
    assert (record.kind, record.site, record.counts["comments"]) == ("erase", ours, 1)


def test_the_copies_in_webhook_messages_are_erased(ana, ours, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    notify.webhook_endpoint_create(
        site=ours, url="http://127.0.0.1:9/hooks", events=["comment.approved"]
    )
    for comment in (ana["top"], ana["reply"]):
        notify.webhook_messages_create(comment=comment, event="comment.approved", status="approved")
    bodies = dict(WebhookMessage.objects.values_list("pk", "body"))
    assert len(bodies) == 2 and any("Ana Private" in body for body in bodies.values())

    author_erase(email=ANA, with_bodies=True)
    erased = {
        json.loads(body)["data"]["comment"]["id"]: json.loads(body)["data"]["comment"]
        for body in WebhookMessage.objects.values_list("body", flat=True)
    }
    mine, bobs = erased[ana["top"].pk], erased[ana["reply"].pk]
    assert (mine["author_name"], mine["author_url"], mine["body"]) == ("[deleted]", "", "[deleted]")
    assert (bobs["author_name"], bobs["body"]) == ("Bob", "Bob answers Ana.")
    for body in WebhookMessage.objects.values_list("body", flat=True):
        assert "Ana Private" not in body and "ana-private" not in body and ANA not in body


def test_kept_perspective_texts_lose_copies_of_erased_texts_and_the_address(ana, ours):
    key, _ = api_key_create(site=ours, name="CMS")
    copy = ScoreSuggestion.objects.create(site=ours, api_key=key, text=ana["top"].body)
    mention = ScoreSuggestion.objects.create(
        site=ours, api_key=key, text=f"Write to {ANA} for details", labels={"toxicity": 0.0}
    )
    unrelated = ScoreSuggestion.objects.create(site=ours, api_key=key, text="Unrelated words")
    kept = AnalyzedText.objects.create(site=ours, text=ana["top"].body)
    author_erase(email=ANA, with_bodies=True)
    assert not ScoreSuggestion.objects.filter(pk=copy.pk).exists()
    assert not AnalyzedText.objects.filter(pk=kept.pk).exists()
    assert ScoreSuggestion.objects.get(pk=mention.pk).text == "Write to [deleted] for details"
    assert ScoreSuggestion.objects.get(pk=unrelated.pk).text == "Unrelated words"


def test_exported_labels_leave_out_erased_texts(ana):
    texts = [row.text for row in training_labels(model="toxicity")]
    assert ana["top"].body in texts
    author_erase(email=ANA, with_bodies=True)
    texts = [row.text for row in training_labels(model="toxicity")]
    assert ana["top"].body not in texts and "[deleted]" not in texts


def test_each_erasure_is_recorded_without_the_address(ana, capsys):
    call_command("author_erase", ANA, "--with-bodies")
    assert "Erased (privacy request #" in capsys.readouterr().out
    record = PrivacyRequest.objects.get()
    assert (record.kind, record.with_bodies, record.counts["comments"]) == ("erase", True, 2)
    assert ANA not in json.dumps(record.counts) + record.email_hash
    # Nothing about Ana is left to find by her address.
    assert not Comment.objects.filter(
        Q(author_email__iexact=ANA) | Q(author_name="Ana Private")
    ).exists()


def test_the_public_thread_names_the_author_deleted(ana):
    from rest_framework.test import APIClient

    article = ana["top"].article
    author_erase(email=ANA)
    response = APIClient().get(f"/api/v1/articles/{article.pk}/comments/")
    names = [c["author_name"] for c in response.json()["results"]]
    assert names == ["[deleted]", "Bob"]
    assert "ana-private" not in response.content.decode()
