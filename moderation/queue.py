"""Puts work on the Celery queue by task name, so no service imports a tasks module.

The names are the ones queued messages carry. Every process that loads Django registers the
tasks behind them (ModerationConfig.ready), and so does every worker.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

SCORE_COMMENT = "moderation.tasks.score_comment"
NOTIFY = "moderation.notify.tasks."


def task_send(name: str, *args: object) -> None:
    """Queue the task now; raises when the broker can't take it."""
    current_app.tasks[name].delay(*args)


def comment_score_enqueue(comment_id: int) -> None:
    """Queue scoring once the comment's transaction commits; a broker outage leaves it pending."""
    transaction.on_commit(lambda: comment_score_send(comment_id))


def comment_score_send(comment_id: int) -> None:
    """Queue scoring now; a broker outage is logged and leaves the comment pending."""
    try:
        task_send(SCORE_COMMENT, comment_id)
    except Exception as error:
        # The comment is stored; the periodic requeue scores it once the broker is back. One
        # line, not a traceback: during an outage every submission says it.
        logger.warning(
            "Could not queue comment %s for scoring; it stays pending: %s", comment_id, error
        )


def comments_score_resend(comment_ids: list[int]) -> list[int]:
    """Queue scoring now for each comment, in order, until the broker refuses; those queued."""
    sent: list[int] = []
    for comment_id in comment_ids:
        try:
            task_send(SCORE_COMMENT, comment_id)
        except Exception:
            # The broker is down: the rest waits for the next run rather than each timing out.
            logger.warning(
                "Could not re-queue comment %s; %d comments wait for the next run",
                comment_id,
                len(comment_ids) - len(sent),
            )
            break
        sent.append(comment_id)
    return sent
