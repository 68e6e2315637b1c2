"""The notifications of a batch of decisions: one message, each read made once for the batch.

A batch of automatic decisions (moderation.batch) records ONE outbox row for all its changes
that someone may hear of (none where nobody listens), written in the batch's transaction; its
task tells each change what services.comment_status_changed tells one, and as it does, each
change once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from moderation.models import Comment, ModerationEvent
from moderation.notify import emails, selectors, services
from moderation.notify.models import (
    HeldCommentNotice,
    SiteNotificationSettings,
    WebhookEndpoint,
)

Status = Comment.Status
Change = Sequence  # [comment_id, from_status, to_status, moderation_event_id]

TASK = "comments_status_changed_task"


def comments_status_changed_enqueue(*, events: Sequence[ModerationEvent]) -> None:
    """One outbox row (and, once committed, one message) for the batch's changes that someone
    may hear of; none, and no message, when nobody listens (most sites: no webhook endpoint, no
    moderator emails, no subscriber).

    Who listens is read in the batch's transaction, after its claim, in one query
    (selectors.listeners). It never leaves out a change the task would tell someone of: a
    subscription commits with its comment, before any batch can claim it or (being published)
    its replies; an endpoint or a moderator's address added while the batch runs is one added
    a moment after it committed, which hears of the next decisions. Each comment's `article`
    and `parent_id` are the batch's own (events built from the claimed comments).
    """
    heard = _heard(events)
    if heard:
        services.queue_on_commit(
            TASK, [[e.comment_id, e.from_status, e.to_status, e.pk] for e in heard]
        )


def _heard(events: Sequence[ModerationEvent]) -> list[ModerationEvent]:
    """The changes comments_status_changed would tell someone of, or might."""
    if not events:
        return []
    held = {e.pk for e in events if e.to_status == Status.HELD and e.from_status != Status.HELD}
    approved = [e.comment for e in events if e.to_status == Status.APPROVED]
    found = selectors.listeners(
        site_ids={e.comment.article.site_id for e in events},
        held_site_ids={e.comment.article.site_id for e in events if e.pk in held},
        comment_ids={c.pk for c in approved} | {c.parent_id for c in approved if c.parent_id},
    )
    heard = []
    for event in events:
        comment = event.comment
        site_id = comment.article.site_id
        if (
            services.EVENT_FOR_STATUS.get(event.to_status) in found.webhook_events.get(site_id, ())
            or (event.pk in held and site_id in found.held_sites)
            or (
                event.to_status == Status.APPROVED
                and (comment.pk in found.subscribed or comment.parent_id in found.subscribed)
            )
        ):
            heard.append(event)
    return heard


class _Changed(NamedTuple):
    """The columns the batch's notifications read of a changed comment."""

    pk: int
    site_id: int
    parent_id: int | None
    author_email: str


def comments_status_changed(*, changes: Sequence[Change]) -> None:
    """Webhooks, moderators' held notices and subscribers' emails for many status changes.

    It reads four columns of each comment; whole comments (for the webhook payload) only where
    the site has an active endpoint, which most sites have not.
    """
    ids = [int(change[0]) for change in changes]
    comments = {
        row[0]: _Changed(*row)
        for row in Comment.objects.filter(pk__in=ids).values_list(
            "pk", "article__site_id", "parent_id", "author_email"
        )
    }
    hooked = set(
        WebhookEndpoint.objects.filter(
            site_id__in={c.site_id for c in comments.values()}, is_active=True
        ).values_list("site_id", flat=True)
    )
    payloads = _payload_comments(
        [
            int(change[0])
            for change in changes
            if change[2] in services.EVENT_FOR_STATUS
            and int(change[0]) in comments
            and comments[int(change[0])].site_id in hooked
        ]
    )
    with transaction.atomic():
        held: list[tuple[_Changed, str]] = []
        approved: list[_Changed] = []
        for comment_id, from_status, to_status, event_id in changes:
            comment = comments.get(int(comment_id))
            if comment is None:
                continue  # deleted since: nobody is told about it
            source = f"moderation-event:{event_id}" if event_id else ""
            event = services.EVENT_FOR_STATUS.get(to_status)
            whole = payloads.get(comment.pk)
            if event is not None and whole is not None:
                services.webhook_messages_create(
                    comment=whole,
                    event=event,
                    status=to_status,
                    previous_status=from_status,
                    source=source,
                )
            if to_status == Status.HELD and from_status != Status.HELD:
                held.append((comment, source))
            if to_status == Status.APPROVED:
                approved.append(comment)
        _held_notices_create(held)
        services.publish_emails_queue((c.pk, c.parent_id, c.author_email) for c in approved)


def _payload_comments(ids: list[int]) -> dict[int, Comment]:
    """The whole comments a webhook payload is built from, with their article and site."""
    if not ids:
        return {}
    return {c.pk: c for c in Comment.objects.select_related("article__site").filter(pk__in=ids)}


def _held_notices_create(held: list[tuple[_Changed, str]]) -> None:
    """services.held_notice_create for many held comments: one email task for the "each" ones."""
    if not held:
        return
    configs = {
        config.site_id: config
        for config in SiteNotificationSettings.objects.filter(
            site_id__in={c.site_id for c, _ in held}
        )
        if config.held_emails != SiteNotificationSettings.HeldEmails.OFF
        and config.moderator_addresses()
    }
    if not configs:
        return  # nobody to tell
    sources = [source for _, source in held if source]
    seen = set(
        HeldCommentNotice.objects.filter(source__in=sources).values_list("source", flat=True)
    )
    notices = [
        HeldCommentNotice(site_id=comment.site_id, comment_id=comment.pk, source=source)
        for comment, source in held
        if comment.site_id in configs and not (source and source in seen)
    ]
    if not notices:
        return
    # A copy of this message running at the same time adds nothing twice (unique source).
    HeldCommentNotice.objects.bulk_create(notices, ignore_conflicts=True)
    each = [
        n.source
        for n in notices
        if configs[n.site_id].held_emails == SiteNotificationSettings.HeldEmails.EACH
    ]
    if each:
        ids = list(
            HeldCommentNotice.objects.filter(source__in=each, sent_at=None)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if ids:
            services.queue_on_commit("held_notices_send_task", ids)


def held_notices_send(*, notice_ids: list[int]) -> int:
    """services.held_notice_send for a batch's notices: one locked read, one UPDATE marks them.

    Each held comment still gets its own email to each moderator. Should the mail server fail
    on one, those sent before it are marked sent and committed, and the error is raised again so
    the task's retry sends the rest: no email goes out twice.
    """
    now = timezone.now()
    sent, done, failure = 0, [], None
    with transaction.atomic():
        notices = list(
            HeldCommentNotice.objects.select_for_update(of=("self",))
            .select_related("comment__article", "site")
            .filter(pk__in=notice_ids, sent_at=None)
            .order_by("id")
        )
        configs = {
            config.site_id: config
            for config in SiteNotificationSettings.objects.filter(
                site_id__in={n.site_id for n in notices}
            )
        }
        for notice in notices:
            config = configs.get(notice.site_id)
            if (
                config is not None
                and config.held_emails != SiteNotificationSettings.HeldEmails.OFF
                and config.moderator_addresses()
                and notice.comment.status == Status.HELD  # else a moderator already decided
            ):
                try:
                    for address in config.moderator_addresses():
                        emails.held_comment(notice.site, address, notice.comment).send()
                except Exception as error:  # the retry sends this one and the rest
                    failure = error
                    break
                sent += 1
            done.append(notice.pk)
        HeldCommentNotice.objects.filter(pk__in=done).update(sent_at=now)
    if failure is not None:
        raise failure
    return sent
