"""Batch decisions (moderation.batch): many comments per message, each decided exactly once,
the same way the one-comment path decides it."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from moderation import batch, queue, scoring, services, tasks
from moderation.authors.models import AuthorBan, AuthorTrust
from moderation.models import Actor, Article, Comment, ModerationEvent, Site
from moderation.notify import batch as notify_batch
from moderation.notify import services as notify
from moderation.notify.models import HeldCommentNotice, NotificationOutbox
from moderation.rules.models import SiteRules
from tests.moderation.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
Status = Comment.Status

CAMPAIGN = "Vote no on the harbour tunnel, it wastes our money and ruins the bay for everyone"


def system_events(comment_ids) -> dict[int, int]:
    counts: dict[int, int] = dict.fromkeys(comment_ids, 0)
    for event in ModerationEvent.objects.filter(comment_id__in=comment_ids, actor=Actor.SYSTEM):
        counts[event.comment_id] += 1
    return counts


def test_one_message_decides_many_pending_comments_with_one_event_each(models, celery_eager):
    article = ArticleFactory()
    comments = [
        CommentFactory(article=article, body=f"Comment {i} {'SPAM' if i % 3 == 0 else ''}")
        for i in range(12)
    ]
    ids = [c.pk for c in comments]

    assert tasks.comment_score_task.delay(ids[0]).get() == Status.REJECTED

    assert not Comment.objects.filter(pk__in=ids, status=Status.PENDING).exists()
    assert set(system_events(ids).values()) == {1}
    assert models["calls"] == [12]  # one call to the models for the whole batch
    # The other comments' own messages then find nothing to do, and write nothing.
    for comment_id in ids[1:]:
        assert tasks.comment_score_task.delay(comment_id).get() is None
    assert set(system_events(ids).values()) == {1}
    assert models["calls"] == [12]


def test_a_batch_takes_at_most_the_configured_number_oldest_first(models, celery_eager, settings):
    settings.MODERATION_SCORE_BATCH = 4
    article = ArticleFactory()
    ids = [CommentFactory(article=article, body=f"Comment {i}").pk for i in range(10)]

    tasks.comment_score_task.delay(ids[7]).get()

    decided = set(Comment.objects.exclude(status=Status.PENDING).values_list("id", flat=True))
    # Its own comment, then the oldest others.
    assert decided == {ids[7], ids[0], ids[1], ids[2]}


def test_a_lone_comment_is_decided_by_its_own_message_at_once(models, celery_eager):
    comment = CommentFactory(body="A lone, clean comment.")
    assert tasks.comment_score_task.delay(comment.pk).get() == Status.APPROVED
    assert system_events([comment.pk]) == {comment.pk: 1}


def test_a_comment_a_moderator_decided_after_the_batch_read_it_keeps_that_decision(
    models, moderator, monkeypatch
):
    article = ArticleFactory()
    ids = [CommentFactory(article=article, body=f"Comment {i} SPAM").pk for i in range(3)]
    # The batch reads the three as pending; then, before it writes, a moderator publishes one.
    read_while_pending = list(Comment.objects.select_related("article__site").filter(pk__in=ids))
    services.comment_approve(comment_id=ids[1], moderator=moderator)
    monkeypatch.setattr(batch, "_claim", lambda comment_id, limit: read_while_pending)

    decided = batch.comments_score_batch(comment_id=ids[0], limit=10)

    assert decided == {ids[0]: Status.REJECTED, ids[2]: Status.REJECTED}
    moderated = Comment.objects.get(pk=ids[1])
    assert moderated.status == Status.APPROVED
    assert [(e.actor, e.to_status) for e in moderated.events.all()] == [
        (Actor.MODERATOR, Status.APPROVED)
    ]
    assert system_events(ids) == {ids[0]: 1, ids[1]: 0, ids[2]: 1}


def _mixed_site(name: str) -> tuple[Article, Article]:
    """A site with newcomer holds and campaigns, and a second one whose models are down."""
    site = Site.objects.create(name=name, domain=f"{name}.example")
    SiteRules.objects.create(
        site=site, newcomers=SiteRules.NewcomerMode.WITH_LINK, known_after=1, campaign_authors=3
    )
    down_site = Site.objects.create(name=f"{name} down", domain=f"{name}-down.example")
    return (
        Article.objects.create(site=site, title="Harbour tunnel", url=""),
        Article.objects.create(site=down_site, title="Harbour tunnel", url=""),
    )


# (author email, body, on the site whose models are down)
MIXED = [
    ("banned@example.org", "Anything at all, SPAM or not.", False),
    ("trusted@example.org", "A MAYBE comment that the model would hold.", False),
    ("ana@example.org", "We will hunt them down, every one of them.", False),  # severe phrase
    ("ana@example.org", "My first link: https://example.com/report", False),  # newcomer
    ("dora@example.org", "My first comment here, nothing special.", False),
    # Published just before (in the same batch): dora is no newcomer any more.
    ("dora@example.org", "My second, with https://example.com/report", False),
    ("known@example.org", "A clean comment from a known reader.", False),
    ("known@example.org", "Cheap pills SPAM SPAM", False),
    ("known@example.org", "A MAYBE comment from a known reader.", False),
    ("c1@example.org", CAMPAIGN, False),
    ("c2@example.org", CAMPAIGN + "!", False),
    ("c3@example.org", CAMPAIGN + "!!", False),  # the third author: a campaign
    ("ben@example.org", "Comment while the models are down.", True),
    ("ben@example.org", "Another one while the models are down.", True),
]


def _mixed_comments(name: str) -> list:
    article, down_article = _mixed_site(name)
    # known@ has an approved comment on this site already: no newcomer.
    CommentFactory(article=article, author_email="known@example.org", status=Status.APPROVED)
    return [
        CommentFactory(
            article=down_article if down else article,
            author_email=email,
            body=body,
            ip_address=None,
        )
        for email, body, down in MIXED
    ]


def _outcome(comment: Comment, ids: list[int]) -> dict:
    """What a decision recorded, with comment ids written as their place in the list."""

    def places(text: str) -> str:
        return re.sub(
            r"campaign #(\d+)", lambda m: f"campaign #c{ids.index(int(m.group(1)))}", text
        )

    comment.refresh_from_db()
    event = comment.events.get()
    details = dict(event.details)
    for hit in details.get("rules", []):
        if "campaign" in hit:
            hit["campaign"] = ids.index(hit["campaign"])
        hit["reason"] = places(hit["reason"])
    details.pop("ban_id", None)
    return {
        "status": comment.status,
        "reason": places(comment.decision_reason),
        "label": comment.decision_label,
        "rules": comment.fired_rules,
        "scores": comment.scores,
        "versions": comment.model_versions,
        "event": (
            event.from_status,
            event.to_status,
            event.actor,
            event.label,
            places(event.reason),
        ),
        "details": details,
    }


def test_a_mixed_batch_decides_as_the_one_comment_path_does(models, celery_eager):
    AuthorBan.objects.create(kind=AuthorBan.Kind.EMAIL, key="banned@example.org")
    AuthorTrust.objects.create(email="Trusted@example.org")
    one_by_one = _mixed_comments("single")
    batched = _mixed_comments("batched")
    models["down"].update({one_by_one[-1].article.site_id, batched[-1].article.site_id})

    for comment in one_by_one:
        services.comment_score(comment_id=comment.pk)
    tasks.comment_score_task.delay(batched[0].pk).get()

    single_ids = [c.pk for c in one_by_one]
    batch_ids = [c.pk for c in batched]
    expected = [_outcome(c, single_ids) for c in one_by_one]
    got = [_outcome(c, batch_ids) for c in batched]
    assert got == expected
    statuses = [row["status"] for row in got]
    labels = [row["label"] for row in got]
    # The mix is what it says: ban, trust, a house rule, newcomers, models, a campaign, no models.
    assert statuses[0] == Status.REJECTED and got[0]["event"][3] == "ban"
    assert statuses[1] == Status.APPROVED and got[1]["details"].get("trusted_author")
    assert labels[2] == "severe_phrase" and labels[3] == "newcomer"
    assert statuses[4:6] == [Status.APPROVED, Status.APPROVED]
    assert statuses[6:9] == [Status.APPROVED, Status.REJECTED, Status.HELD]
    # The third author of nearly the same text makes it a campaign.
    assert statuses[9:12] == [Status.APPROVED, Status.APPROVED, Status.HELD]
    assert labels[11] == "campaign"
    assert labels[12:] == ["classifier_unavailable", "classifier_unavailable"]


def test_a_batch_stores_no_explanation_and_pages_explain_on_read(models, celery_eager):
    article = ArticleFactory()
    clean = CommentFactory(article=article, body="A clean comment.")
    spam = CommentFactory(article=article, body="Buy now SPAM")
    tasks.comment_score_task.delay(clean.pk).get()
    clean.refresh_from_db()
    spam.refresh_from_db()
    assert (clean.status, spam.status) == (Status.APPROVED, Status.REJECTED)
    assert clean.explanation == {} and spam.explanation == {}
    for comment in (clean, spam):
        assert scoring.comment_explanation(comment) == {
            "spam": [{"feature": "x", "weight": 1.0, "start": 0, "end": 1}]
        }


def test_a_held_comment_without_models_is_rescored_alone_by_its_message(models, celery_eager):
    comment = CommentFactory(body="Written while the models were down.")
    models["down"].add(comment.article.site_id)
    tasks.comment_score_task.delay(comment.pk).get()
    comment.refresh_from_db()
    assert (comment.status, comment.decision_label) == (Status.HELD, "classifier_unavailable")

    models["down"].clear()
    assert tasks.comment_score_task.delay(comment.pk).get() == Status.APPROVED
    assert system_events([comment.pk]) == {comment.pk: 2}


def test_a_batch_records_one_notification_message_and_tells_each_change_once(
    models, monkeypatch, django_capture_on_commit_callbacks, celery_eager
):
    from moderation.notify.models import SiteNotificationSettings

    article = ArticleFactory()
    SiteNotificationSettings.objects.create(
        site=article.site, moderator_emails="mod@publisher.example"
    )
    ids = [CommentFactory(article=article, body=f"Comment {i} MAYBE").pk for i in range(5)]
    down = {"down": True}
    real_send = queue.task_send

    def send(name, *args):
        if down["down"]:
            raise ConnectionError("the broker is down")
        real_send(name, *args)

    monkeypatch.setattr(queue, "task_send", send)
    with django_capture_on_commit_callbacks(execute=True):
        batch.comments_score_batch(comment_id=ids[0], limit=10)
    # Five decisions, one outbox row for all of them (the broker could not take it).
    (row,) = NotificationOutbox.objects.all()
    assert row.task == "comments_status_changed_task"
    assert [change[0] for change in row.args[0]] == ids

    down["down"] = False
    with django_capture_on_commit_callbacks(execute=True):
        assert notify.outbox_send_due(older_than_seconds=0) == 1
    assert NotificationOutbox.objects.count() == 0
    assert HeldCommentNotice.objects.filter(sent_at__isnull=False).count() == 5
    assert len(mail.outbox) == 5

    # A copy of the batch's message (its outbox row was sent twice, say) tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        notify_batch.comments_status_changed(changes=row.args[0])
    assert HeldCommentNotice.objects.count() == 5
    assert len(mail.outbox) == 5


def test_a_batch_sends_webhooks_only_for_the_sites_with_an_endpoint_each_change_once(
    models, monkeypatch, django_capture_on_commit_callbacks
):
    import json

    from moderation.notify.models import WebhookEndpoint, WebhookMessage

    def down(name, *args):
        raise ConnectionError("the broker is down: the outbox keeps the batch's row")

    monkeypatch.setattr(queue, "task_send", down)
    hooked, quiet = ArticleFactory(), ArticleFactory()
    WebhookEndpoint.objects.create(
        site=hooked.site, url="https://hooks.example/h", events=["comment.held"], secret="s"
    )
    held = [CommentFactory(article=hooked, body=f"Comment {i} MAYBE").pk for i in range(3)]
    CommentFactory(article=quiet, body="Quiet MAYBE")
    spam = CommentFactory(article=hooked, body="Comment SPAM").pk  # rejected: not chosen
    with django_capture_on_commit_callbacks(execute=True):
        batch.comments_score_batch(comment_id=held[0], limit=10)
    (row,) = NotificationOutbox.objects.filter(task="comments_status_changed_task")
    notify_batch.comments_status_changed(changes=row.args[0])

    bodies = [json.loads(m.body) for m in WebhookMessage.objects.order_by("id")]
    assert [b["data"]["comment"]["id"] for b in bodies] == held
    assert {b["data"]["comment"]["status"] for b in bodies} == {Status.HELD}
    assert bodies[0]["data"]["comment"]["body"] == "Comment 0 MAYBE"
    assert bodies[0]["data"]["site"]["domain"] == hooked.site.domain
    assert spam not in {b["data"]["comment"]["id"] for b in bodies}
    # A copy of the message tells nobody twice.
    notify_batch.comments_status_changed(changes=row.args[0])
    assert WebhookMessage.objects.count() == 3


def test_comment_created_is_queued_only_when_someone_listens(
    article, django_capture_on_commit_callbacks
):
    from moderation.notify.models import WebhookEndpoint

    submitted = []

    def created_rows(**fields):
        NotificationOutbox.objects.all().delete()
        submitted.append(fields)
        services.comment_submit(
            article_id=article.pk,
            author_name="Ana",
            author_email="ana@example.org",
            body=f"Who inspects the prisons? ({len(submitted)})",
            **fields,
        )
        return NotificationOutbox.objects.filter(task="comment_created_task").count()

    assert created_rows() == 0
    assert created_rows(notify=True) == 1  # the author asked for emails: a confirmation
    WebhookEndpoint.objects.create(
        site=article.site, url="https://hooks.example/h", events=["comment.held"], secret="s"
    )
    assert created_rows() == 0
    WebhookEndpoint.objects.create(
        site=article.site, url="https://hooks.example/c", events=["comment.created"], secret="s"
    )
    assert created_rows() == 1


def test_a_mail_server_failure_mid_batch_sends_no_held_email_twice(monkeypatch):
    from moderation.notify import emails
    from moderation.notify.models import SiteNotificationSettings

    article = ArticleFactory()
    SiteNotificationSettings.objects.create(
        site=article.site, moderator_emails="mod@publisher.example"
    )
    notices = [
        HeldCommentNotice.objects.create(
            site=article.site,
            comment=CommentFactory(article=article, status=Status.HELD),
            source=f"moderation-event:{index}",
        )
        for index in range(4)
    ]
    real = emails.held_comment
    calls = []

    def flaky(site, address, comment):
        calls.append(comment.pk)
        if len(calls) == 3:
            raise ConnectionRefusedError("the mail server is down")
        return real(site, address, comment)

    monkeypatch.setattr(emails, "held_comment", flaky)
    ids = [n.pk for n in notices]
    with pytest.raises(ConnectionRefusedError):
        notify_batch.held_notices_send(notice_ids=ids)
    assert len(mail.outbox) == 2
    # The task's retry sends the other two, and not the first two again.
    assert notify_batch.held_notices_send(notice_ids=ids) == 2
    assert len(mail.outbox) == 4
    # One email for each held comment (its admin link names it).
    assert [
        sum(f"/comment/{n.comment_id}/change/" in m.body for m in mail.outbox) for n in notices
    ] == [1, 1, 1, 1]
    assert not HeldCommentNotice.objects.filter(sent_at=None).exists()


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; CI's PostgreSQL run covers it",
)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_batch_skips_the_comments_another_batch_holds(models):
    article = ArticleFactory()
    ids = [CommentFactory(article=article, body=f"Comment {i}").pk for i in range(4)]
    held = threading.Event()
    release = threading.Event()

    def other_batch() -> None:
        # Another worker's batch, between its claim and its commit.
        with transaction.atomic():
            list(Comment.objects.select_for_update().filter(pk__in=ids[:2]))
            held.set()
            release.wait(timeout=30)
        connections.close_all()

    thread = threading.Thread(target=other_batch)
    thread.start()
    try:
        assert held.wait(timeout=30)
        decided = batch.comments_score_batch(comment_id=ids[2], limit=10)
    finally:
        release.set()
        thread.join(timeout=30)

    assert set(decided) == {ids[2], ids[3]}
    assert set(Comment.objects.filter(status=Status.PENDING).values_list("id", flat=True)) == set(
        ids[:2]
    )
    assert system_events(ids) == {ids[0]: 0, ids[1]: 0, ids[2]: 1, ids[3]: 1}
