"""Thin Celery tasks: they take ids and call services."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError

from moderation import scoring, services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@worker_process_init.connect
def load_models_once(**_kwargs) -> None:
    """Load the models when a worker process starts, not when its first comment arrives.

    If they fail to load this logs it loudly and the process still takes messages: it holds
    each comment as "classifier unavailable" rather than failing the task.
    """
    scoring.models_ready()


@shared_task(
    # The name queued messages carry, kept from before the rename so none in flight is lost.
    name="moderation.tasks.score_comment",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=10,
)
def comment_score_task(comment_id: int) -> str | None:
    """Score and decide one comment (services.comment_score); safe to run twice."""
    decision = services.comment_score(comment_id=comment_id)
    return decision.status if decision else None


@shared_task
def requeue_stale_pending_comments() -> int:
    return services.comments_requeue_stale(
        older_than_seconds=settings.MODERATION_STALE_PENDING_SECONDS
    )
