"""Thin Celery tasks: they take ids and call services."""

from __future__ import annotations

from celery import shared_task
from celery.signals import task_prerun, worker_process_init
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from moderation import batch, scoring, services

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)


@worker_process_init.connect
def load_models_once(**_kwargs) -> None:
    """Load the models when a worker process starts, not when its first comment arrives.

    If they fail to load this logs it loudly and the process still takes messages: it holds
    each comment as "classifier unavailable" rather than failing the task.
    """
    scoring.models_ready()


@task_prerun.connect
def database_connections_check(sender=None, **_kwargs) -> None:
    """Before each task, as before each request: drop a connection that is broken (say the
    database restarted) or older than CONN_MAX_AGE, and keep the others (project/celery.py).
    A task run eagerly is part of its caller's work and shares its connection."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        close_old_connections()


@shared_task(
    # The name queued messages carry, kept from before the rename so none in flight is lost.
    name="moderation.tasks.score_comment",
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=10,
)
def comment_score_task(comment_id: int | None = None) -> str | None:
    """Decide this comment (none: a batch's continuation) and other pending ones, oldest first,
    up to MODERATION_SCORE_BATCH (moderation.batch); safe to run twice: a decided comment is
    not decided again."""
    decided = batch.comments_score_batch(
        comment_id=comment_id, limit=settings.MODERATION_SCORE_BATCH
    )
    return decided.get(comment_id) if comment_id is not None else None


@shared_task
def requeue_stale_pending_comments() -> int:
    return services.comments_requeue_stale(
        older_than_seconds=settings.MODERATION_STALE_PENDING_SECONDS,
        per_message=settings.MODERATION_SCORE_BATCH,
    )
