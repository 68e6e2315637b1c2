"""Thin Celery tasks for notifications: they take ids and call notify services."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from moderation.notify import batch, services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)

# A mail server that is down or refuses for now is retried; the services keep emails single.
MAIL_ERRORS = (*TRANSIENT_ERRORS, smtplib.SMTPException, OSError)
RETRY = {"retry_backoff": 30, "retry_backoff_max": 3600, "retry_jitter": True, "max_retries": 8}


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def comment_created_task(comment_id: int) -> None:
    services.comment_created(comment_id=comment_id)


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def comment_status_changed_task(
    comment_id: int, from_status: str, to_status: str, moderation_event_id: int | None = None
) -> None:
    services.comment_status_changed(
        comment_id=comment_id,
        from_status=from_status,
        to_status=to_status,
        moderation_event_id=moderation_event_id,
    )


@shared_task(autoretry_for=TRANSIENT_ERRORS, **RETRY)
def comments_status_changed_task(changes: list[list]) -> None:
    """A batch of decisions (moderation.batch): one message for all its changes someone hears of."""
    batch.comments_status_changed(changes=changes)


@shared_task(autoretry_for=MAIL_ERRORS, **RETRY)
def subscriber_email_task(subscriber_id: int, kind: str, comment_id: int) -> bool:
    return services.subscriber_email_send(
        subscriber_id=subscriber_id, kind=kind, comment_id=comment_id
    )


@shared_task(autoretry_for=MAIL_ERRORS, **RETRY)
def held_notice_send_task(notice_id: int) -> bool:
    return services.held_notice_send(notice_id=notice_id)


@shared_task(autoretry_for=MAIL_ERRORS, **RETRY)
def held_notices_send_task(notice_ids: list[int]) -> int:
    """A batch's held comments, each emailed on its own; a retry skips those already sent."""
    return batch.held_notices_send(notice_ids=notice_ids)


@shared_task
def held_notices_send_due_task() -> int:
    # Beat runs it every minute: a failed run needs no retry of its own.
    return services.held_notices_send_due()


@shared_task
def outbox_send_due_task() -> int:
    # Beat runs it every MODERATION_REQUEUE_EVERY_SECONDS: a failed run needs no retry of its own.
    return services.outbox_send_due(older_than_seconds=settings.NOTIFY_OUTBOX_AFTER_SECONDS)


def backoff_seconds(attempt: int) -> int:
    """Seconds before the next attempt after this many: 30 s, 1 min, 2 min, ... at most an hour."""
    return min(
        settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_BACKOFF_MAX_SECONDS
    )


@shared_task(bind=True, max_retries=None)
def webhook_deliver_task(self, message_id: int) -> int | None:
    """One delivery attempt; on failure, retried with exponential backoff up to the limit."""
    delivery = services.webhook_message_deliver(message_id=message_id)
    if delivery is None or delivery.succeeded:
        return delivery.status_code if delivery else None
    if delivery.attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
        services.webhook_message_give_up(message_id=message_id)
        return delivery.status_code
    raise self.retry(countdown=backoff_seconds(delivery.attempt))
