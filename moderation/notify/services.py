"""Who is told what when a comment is created or changes status; subscriptions; webhooks.

The core services call the two *_enqueue hooks; everything else runs in a worker, where each
email and each webhook message is a task of its own, so a slow or failing receiver delays no one.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from moderation import queue
from moderation.errors import ApplicationError, NotFoundError
from moderation.models import Comment, Site
from moderation.notify import emails, selectors, webhooks
from moderation.notify.addresses import UnsafeUrlError, webhook_target
from moderation.notify.models import (
    CommentSubscription,
    HeldCommentNotice,
    NotificationOutbox,
    SiteNotificationSettings,
    Subscriber,
    SubscriberEmail,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)

logger = logging.getLogger(__name__)

Status = Comment.Status
Event = WebhookEndpoint.Event
Kind = SubscriberEmail.Kind
HeldEmails = SiteNotificationSettings.HeldEmails

EVENT_FOR_STATUS: dict[str, str] = {
    Status.APPROVED: Event.APPROVED,
    Status.HELD: Event.HELD,
    Status.REJECTED: Event.REJECTED,
}


def _queue(task_name: str, *args: object) -> bool:
    """Send a notify task to the broker now; whether the broker took it."""
    try:
        queue.task_send(queue.NOTIFY + task_name, *args)
    except Exception:  # kombu's OperationalError, redis' ConnectionError, OSError, ...
        logger.warning("Could not queue %s%r; it stays in the outbox", task_name, args)
        return False
    return True


def queue_on_commit(task_name: str, *args: object) -> None:
    """Write the task to the outbox in the caller's transaction; queue it once that commits.

    A broker outage (or a process that dies after the commit) leaves the row, and the periodic
    sweeper (outbox_send_due) queues it later: no notification is lost with the broker.
    """
    row = NotificationOutbox.objects.create(task=task_name, args=list(args))
    transaction.on_commit(lambda: _outbox_row_send(row.pk, task_name, list(args)))


def _outbox_row_send(row_id: int, task_name: str, args: list) -> bool:
    if not _queue(task_name, *args):
        return False
    try:
        NotificationOutbox.objects.filter(pk=row_id).delete()
    except DatabaseError:
        # The sweeper sends it again; the notify services tell each change once.
        logger.warning("Queued %s%r but could not clear its outbox row", task_name, args)
    return True


def outbox_send_due(*, older_than_seconds: int, limit: int = 500) -> int:
    """Queue outbox rows older than older_than_seconds, oldest first; how many were queued.

    Stops at the first broker failure (the broker is down: the rest waits for the next run).
    """
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    rows = list(NotificationOutbox.objects.filter(created_at__lt=cutoff)[:limit])
    sent: list[int] = []
    for row in rows:
        if not _queue(row.task, *row.args):
            NotificationOutbox.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1, last_error="The broker did not take the task."
            )
            break
        sent.append(row.pk)
    if sent:
        NotificationOutbox.objects.filter(pk__in=sent).delete()
    if rows:
        logger.info("Notification outbox: queued %d of %d due rows", len(sent), len(rows))
    return len(sent)


# --- hooks for moderation.services -------------------------------------------------------------
def comment_created_heard(*, site_id: int, subscribed: bool, webhooks: bool) -> bool:
    """Whether anyone hears of a new comment: its author asked for emails, or its site has an
    active endpoint for comment.created (`webhooks`: whether the site has any active endpoint,
    read with its article; only then are the endpoints' events looked up). Otherwise its task
    would tell no one."""
    return subscribed or (webhooks and selectors.site_hears_created(site_id=site_id))


def comment_created_enqueue(*, comment: Comment) -> None:
    """Once the comment is committed, a worker sends comment.created and any confirmation email
    (for those `comment_created_heard` says listen)."""
    queue_on_commit("comment_created_task", comment.pk)


def comment_status_changed_enqueue(
    *, comment_id: int, from_status: str, to_status: str, moderation_event_id: int | None = None
) -> None:
    """Once the change is committed, a worker tells whoever should hear about it.

    The moderation event's id makes the dispatch safe to run twice: each change is told once.
    """
    queue_on_commit(
        "comment_status_changed_task", comment_id, from_status, to_status, moderation_event_id
    )


# --- dispatch (in a worker) ----------------------------------------------------------------------
def _comment(comment_id: int) -> Comment | None:
    comment = (
        Comment.objects.select_related("article__site", "parent").filter(pk=comment_id).first()
    )
    if comment is None:
        logger.warning("Comment %s no longer exists; nobody is told about it", comment_id)
    return comment


def comment_created(*, comment_id: int) -> None:
    """comment.created webhooks, and the confirmation email if its author asked for emails."""
    comment = _comment(comment_id)
    if comment is None:
        return
    with transaction.atomic():
        webhook_messages_create(
            comment=comment,
            event=Event.CREATED,
            status=Status.PENDING,
            source=f"comment-created:{comment.pk}",
        )
        subscription = (
            CommentSubscription.objects.select_related("subscriber").filter(comment=comment).first()
        )
        if subscription is not None and not subscription.subscriber.may_be_emailed:
            queue_on_commit(
                "subscriber_email_task", subscription.subscriber_id, Kind.CONFIRM, comment.pk
            )


def comment_status_changed(
    *, comment_id: int, from_status: str, to_status: str, moderation_event_id: int | None = None
) -> None:
    """Webhooks for the new status, moderators' held emails, and the subscribers' emails."""
    comment = _comment(comment_id)
    if comment is None:
        return
    source = f"moderation-event:{moderation_event_id}" if moderation_event_id else ""
    with transaction.atomic():
        event = EVENT_FOR_STATUS.get(to_status)
        if event is not None:
            webhook_messages_create(
                comment=comment,
                event=event,
                status=to_status,
                previous_status=from_status,
                source=source,
            )
        # Held again after a rescore (held first because no model could score it): the
        # moderators were told when it was first held.
        if to_status == Status.HELD and from_status != Status.HELD:
            held_notice_create(comment=comment, source=source)
        if to_status == Status.APPROVED:
            publish_emails_queue([(comment.pk, comment.parent_id, comment.author_email)])


def publish_emails_queue(published: Iterable[tuple[int, int | None, str]]) -> None:
    """Emails for published (id, parent id, author's address): to its author, to the parent's."""
    published = list(published)
    if not published:
        return
    wanted = {pk for pk, _, _ in published} | {parent for _, parent, _ in published if parent}
    rows = CommentSubscription.objects.select_related("subscriber").filter(comment_id__in=wanted)
    subscriptions = {s.comment_id: s for s in rows}
    for pk, parent_id, author_email in published:
        own = subscriptions.get(pk)
        if own is not None and own.subscriber.may_be_emailed:
            queue_on_commit("subscriber_email_task", own.subscriber_id, Kind.PUBLISHED, pk)
        parent = subscriptions.get(parent_id) if parent_id else None
        if (
            parent is not None
            and parent.subscriber.may_be_emailed
            # Nobody needs an email about their own reply.
            and parent.subscriber.email != author_email.strip().lower()
        ):
            queue_on_commit("subscriber_email_task", parent.subscriber_id, Kind.REPLY, pk)


# --- commenter subscriptions --------------------------------------------------------------------
def comment_subscription_create(*, comment: Comment) -> CommentSubscription:
    """The comment's author asked for emails about it; the address is confirmed by email first."""
    with transaction.atomic():
        subscriber, _ = Subscriber.objects.get_or_create(
            site_id=comment.article.site_id, email=comment.author_email.strip().lower()
        )
        subscription, _ = CommentSubscription.objects.get_or_create(
            comment=comment, defaults={"subscriber": subscriber}
        )
    return subscription


def _may_send(subscriber: Subscriber, kind: str, now) -> bool:
    if kind != Kind.CONFIRM:
        return subscriber.may_be_emailed
    if subscriber.may_be_emailed:
        return False  # confirmed already
    # One confirmation per address per interval, so nobody can make the service mail a stranger.
    interval = timedelta(hours=settings.NOTIFY_CONFIRM_EVERY_HOURS)
    return (
        subscriber.confirmation_sent_at is None or now - subscriber.confirmation_sent_at >= interval
    )


def subscriber_email_send(*, subscriber_id: int, kind: str, comment_id: int) -> bool:
    """Send one email to a subscriber about a comment, at most once; whether it was sent.

    The row that records it and the sending share a transaction: if the mail server fails, the
    row is rolled back and the task's retry sends it.
    """
    now = timezone.now()
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update(of=("self",))
            .select_related("site")
            .filter(pk=subscriber_id)
            .first()
        )
        comment = Comment.objects.select_related("article", "parent").filter(pk=comment_id).first()
        if subscriber is None or comment is None or not _may_send(subscriber, kind, now):
            return False
        if kind in (Kind.PUBLISHED, Kind.REPLY) and comment.status != Status.APPROVED:
            return False  # taken down again before the email went out
        try:
            with transaction.atomic():
                SubscriberEmail.objects.create(subscriber=subscriber, kind=kind, comment=comment)
        except IntegrityError:
            return False  # sent before
        if kind == Kind.CONFIRM:
            subscriber.confirmation_sent_at = now
            subscriber.save(update_fields=["confirmation_sent_at"])
            message = emails.confirmation(subscriber, comment)
        elif kind == Kind.PUBLISHED:
            message = emails.published(subscriber, comment)
        else:
            message = emails.reply(subscriber, comment)
        message.send()
    return True


def subscriber_confirm(*, token: str) -> Subscriber:
    """The address's owner opted in: emails about their comments at this site may now be sent."""
    subscriber = selectors.subscriber_from_confirm_token(token=token)
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).update(
            confirmed_at=timezone.now(), unsubscribed_at=None
        )
    subscriber.refresh_from_db()
    return subscriber


def subscriber_unsubscribe(*, token: str) -> Subscriber:
    """Stop every email about this address's comments at this site; doing it twice is harmless."""
    subscriber = selectors.subscriber_from_unsubscribe_token(token=token)
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk, unsubscribed_at=None).update(
            unsubscribed_at=timezone.now()
        )
    subscriber.refresh_from_db()
    return subscriber


# --- moderators' emails about held comments ---------------------------------------------------
def moderator_unsubscribe(*, token: str) -> tuple[Site, str]:
    """Take the address out of its site's moderator emails."""
    site, address = selectors.moderator_from_unsubscribe_token(token=token)
    with transaction.atomic():
        config = SiteNotificationSettings.objects.select_for_update().filter(site=site).first()
        if config is not None:
            kept = [a for a in config.moderator_addresses() if a.lower() != address.lower()]
            config.moderator_emails = "\n".join(kept)
            config.save(update_fields=["moderator_emails"])
    return site, address


def _notification_settings(site_id: int) -> SiteNotificationSettings | None:
    config = SiteNotificationSettings.objects.filter(site_id=site_id).first()
    if config is None or config.held_emails == HeldEmails.OFF or not config.moderator_addresses():
        return None
    return config


def held_notice_create(*, comment: Comment, source: str = "") -> HeldCommentNotice | None:
    """Note a held comment for its site's moderators; "each" mode sends it right away.

    None if nobody is to be told, or if this source (a status change) was noted before.
    """
    config = _notification_settings(comment.article.site_id)
    if config is None:
        return None
    if source and HeldCommentNotice.objects.filter(source=source).exists():
        return None
    notice = HeldCommentNotice.objects.create(
        site_id=comment.article.site_id, comment=comment, source=source
    )
    if config.held_emails == HeldEmails.EACH:
        queue_on_commit("held_notice_send_task", notice.pk)
    return notice


def _send_to_moderators(config: SiteNotificationSettings, build: Callable[[str], object]) -> None:
    for address in config.moderator_addresses():
        build(address).send()  # type: ignore[attr-defined]


def held_notice_send(*, notice_id: int) -> bool:
    """Email one held comment to its site's moderators, once; whether an email went out."""
    with transaction.atomic():
        notice = (
            HeldCommentNotice.objects.select_for_update(of=("self",))
            .select_related("comment__article", "site")
            .filter(pk=notice_id, sent_at=None)
            .first()
        )
        if notice is None:
            return False
        notice.sent_at = timezone.now()
        notice.save(update_fields=["sent_at"])
        config = _notification_settings(notice.site_id)
        if config is None or notice.comment.status != Status.HELD:
            return False  # no one to tell, or a moderator already decided
        _send_to_moderators(
            config, lambda address: emails.held_comment(notice.site, address, notice.comment)
        )
    return True


def held_digest_send(*, site_id: int, now=None) -> int:
    """Send the site's digest of held comments if one is due; how many comments it listed."""
    now = now or timezone.now()
    with transaction.atomic():
        config = (
            SiteNotificationSettings.objects.select_for_update(of=("self",))
            .select_related("site")
            .filter(site_id=site_id)
            .first()
        )
        if config is None:
            return 0
        every = timedelta(minutes=config.digest_every_minutes)
        if config.last_digest_at is not None and now - config.last_digest_at < every:
            return 0
        notices = list(
            HeldCommentNotice.objects.select_for_update(of=("self",))
            .select_related("comment__article")
            .filter(site_id=site_id, sent_at=None)
        )
        if not notices:
            return 0
        HeldCommentNotice.objects.filter(pk__in=[n.pk for n in notices]).update(sent_at=now)
        # A comment a moderator already decided needs no reminder.
        held = list(
            {n.comment_id: n.comment for n in notices if n.comment.status == Status.HELD}.values()
        )
        if not held or not config.moderator_addresses() or config.held_emails == HeldEmails.OFF:
            return 0
        _send_to_moderators(config, lambda address: emails.held_digest(config.site, address, held))
        config.last_digest_at = now
        config.save(update_fields=["last_digest_at"])
    return len(held)


def held_notices_send_due(*, now=None) -> int:
    """Every minute: due digests, and "each" notices whose task was lost (broker down)."""
    now = now or timezone.now()
    sent = 0
    site_ids = set(HeldCommentNotice.objects.filter(sent_at=None).values_list("site_id", flat=True))
    for site_id in site_ids:
        config = SiteNotificationSettings.objects.filter(site_id=site_id).first()
        if config is not None and config.held_emails == HeldEmails.EACH:
            late = HeldCommentNotice.objects.filter(
                site_id=site_id, sent_at=None, created_at__lt=now - timedelta(minutes=1)
            )
            for notice_id in late.values_list("id", flat=True):
                sent += int(held_notice_send(notice_id=notice_id))
        else:
            # Digest mode; with emails switched off since, this marks the leftovers as done.
            sent += held_digest_send(site_id=site_id, now=now)
    return sent


# --- webhooks -----------------------------------------------------------------------------------
def webhook_url_check(*, url: str) -> None:
    """Refuse a URL that is not https or resolves to a private, loopback or link-local address."""
    try:
        webhook_target(url, allow_loopback=settings.WEBHOOKS_ALLOW_LOOPBACK)
    except UnsafeUrlError as error:
        raise ApplicationError(
            f"This webhook URL is refused: {error}", fields={"url": [str(error)]}
        ) from None


def webhook_events_check(*, events: Iterable[str]) -> list[str]:
    events = list(dict.fromkeys(events))
    unknown = [event for event in events if event not in Event.values]
    if unknown or not events:
        raise ApplicationError(
            "Choose at least one known event.",
            fields={"events": [f"Known events: {', '.join(Event.values)}."]},
        )
    return events


def webhook_endpoint_create(*, site: Site, url: str, events: Iterable[str]) -> WebhookEndpoint:
    """Register a URL for the chosen events; it must resolve to public addresses only."""
    events = webhook_events_check(events=events)
    webhook_url_check(url=url)
    with transaction.atomic():
        return WebhookEndpoint.objects.create(
            site=site, url=url, events=events, secret=WebhookEndpoint.new_secret()
        )


def webhook_endpoint_update(
    *, endpoint_id: int, url: str, events: Iterable[str], is_active: bool
) -> WebhookEndpoint:
    events = webhook_events_check(events=events)
    webhook_url_check(url=url)
    with transaction.atomic():
        updated = WebhookEndpoint.objects.filter(pk=endpoint_id).update(
            url=url, events=events, is_active=is_active
        )
        if not updated:
            raise NotFoundError(
                f"There is no webhook endpoint {endpoint_id}.",
                fields={"endpoint": [f"No webhook endpoint with id {endpoint_id}."]},
            )
    return WebhookEndpoint.objects.get(pk=endpoint_id)


def webhook_endpoint_delete(*, site: Site, endpoint_id: int) -> None:
    """Remove one of the site's endpoints; another site's id is as unknown as a missing one."""
    with transaction.atomic():
        deleted, _ = WebhookEndpoint.objects.filter(pk=endpoint_id, site=site).delete()
    if not deleted:
        raise NotFoundError(
            f"There is no webhook endpoint {endpoint_id}.",
            fields={"endpoint_id": [f"No webhook endpoint {endpoint_id} on this site."]},
        )


def webhook_endpoint_rotate_secret(*, endpoint_id: int) -> WebhookEndpoint:
    with transaction.atomic():
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(secret=WebhookEndpoint.new_secret())
    return WebhookEndpoint.objects.get(pk=endpoint_id)


def webhook_payload(
    *, event_id: str, event: str, comment: Comment, status: str, previous_status: str | None
) -> dict:
    """What a receiver gets: the public parts of the comment; never an email address or IP."""
    article = comment.article
    return {
        "id": event_id,
        "type": event,
        "created_at": timezone.now().isoformat(),
        "data": {
            "site": {"domain": article.site.domain, "public_key": article.site.public_key},
            "article": {
                "id": article.pk,
                "external_id": article.external_id,
                "title": article.title,
                "url": article.url,
            },
            "comment": {
                "id": comment.pk,
                "parent": comment.parent_id,
                "status": status,
                "previous_status": previous_status,
                "author_name": comment.author_name,
                "author_url": comment.author_url,
                "body": comment.body,
                "created_at": comment.created_at.isoformat(),
                "decision_reason": comment.decision_reason if status != Status.PENDING else "",
            },
        },
    }


def webhook_messages_create(
    *,
    comment: Comment,
    event: str,
    status: str,
    previous_status: str | None = None,
    source: str = "",
) -> list[WebhookMessage]:
    """One message per active endpoint of the comment's site that chose this event.

    With a source (what happened), an endpoint that already has a message for it gets none.
    """
    candidates = WebhookEndpoint.objects.filter(site_id=comment.article.site_id, is_active=True)
    if source:
        candidates = candidates.exclude(messages__source=source)
    endpoints = [endpoint for endpoint in candidates if event in endpoint.events]
    messages = []
    with transaction.atomic():
        for endpoint in endpoints:
            event_id = str(uuid.uuid4())
            payload = webhook_payload(
                event_id=event_id,
                event=event,
                comment=comment,
                status=status,
                previous_status=previous_status,
            )
            message = WebhookMessage.objects.create(
                endpoint=endpoint,
                event_id=event_id,
                event=event,
                source=source,
                body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
            )
            queue_on_commit("webhook_deliver_task", message.pk)
            messages.append(message)
    return messages


def webhook_message_deliver(*, message_id: int) -> WebhookDelivery | None:
    """One attempt to deliver a message, logged; None if it is delivered, abandoned or gone.

    The URL is checked again against DNS now and the connection goes to the address checked,
    so a name that has since been pointed at a private address is refused.
    """
    message = WebhookMessage.objects.select_related("endpoint").filter(pk=message_id).first()
    if message is None or message.delivered_at or message.gave_up_at:
        return None
    endpoint = message.endpoint
    attempt_number = message.deliveries.count() + 1
    try:
        target = webhook_target(endpoint.url, allow_loopback=settings.WEBHOOKS_ALLOW_LOOPBACK)
    except UnsafeUrlError as error:
        attempt = webhooks.Attempt(status_code=None, error=f"Refused: {error}", duration_ms=0.0)
    else:
        attempt = webhooks.post(
            target=target,
            body=message.body,
            headers=webhooks.headers(
                secret=endpoint.secret,
                event=message.event,
                event_id=str(message.event_id),
                attempt=attempt_number,
                body=message.body,
            ),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            message=message,
            attempt=attempt_number,
            status_code=attempt.status_code,
            error=attempt.error,
            duration_ms=attempt.duration_ms,
            succeeded=attempt.succeeded,
        )
        if attempt.succeeded:
            WebhookMessage.objects.filter(pk=message.pk, delivered_at=None).update(
                delivered_at=timezone.now()
            )
    return delivery


def webhook_message_give_up(*, message_id: int) -> None:
    with transaction.atomic():
        WebhookMessage.objects.filter(pk=message_id, delivered_at=None, gave_up_at=None).update(
            gave_up_at=timezone.now()
        )
