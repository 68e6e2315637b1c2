"""Puts work on the Celery queue by task name, so no service imports a tasks module.

The names are the ones queued messages carry. Every process that loads Django registers the
tasks behind them (ModerationConfig.ready), and so does every worker.

Scoring messages are coalesced: one queued scoring message claims every pending comment that
committed before it claims (up to MODERATION_SCORE_BATCH, then its batch queues the next), so a
comment needs its own message only when no such message is waiting. A key in the broker's
Redis says one is ("armed"): the submit path sends only if it sets the key (SET NX), and a
batch deletes it just before it claims rows (moderation.batch). The key lives beside the
queue, on the broker's Redis and not the cache's, so the two are lost and restored together.

Why no comment is left behind: a submission that finds the key set committed its comment
before that SET; the key was set by a message that has not claimed yet, whose batch deletes the
key after that SET (Redis orders the two) and only then claims; so the claim's query starts
after the comment committed and sees it pending. The claim takes the oldest pending comments:
if the comment is not among them the batch was full and queued the next message (which arms
the key again), or another batch holds its row. A message that is lost (a killed worker's
reserved one), a batch that rolls back, and a Redis error all leave comments pending: the key
expires after SCORE_ARMED_SECONDS at most, so the next submission sends a message that claims
them oldest first, and the stale sweeper sends them after MODERATION_STALE_PENDING_SECONDS.
"""

from __future__ import annotations

import functools
import logging

import redis
from celery import current_app
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

SCORE_COMMENT = "moderation.tasks.score_comment"
NOTIFY = "moderation.notify.tasks."
# How long a queued scoring message keeps the key armed at most: should it be lost, comments
# wait this long for the next submission's message (or the sweeper). A queue that waits longer
# costs one extra message each time the key expires.
SCORE_ARMED_SECONDS = 10


def task_send(name: str, *args: object) -> None:
    """Queue the task now; raises when the broker can't take it."""
    current_app.tasks[name].delay(*args)


@functools.cache
def _redis(url: str) -> redis.Redis:
    # Short timeouts: a submission must not hang on a Redis that is gone (it then sends anyway).
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def broker_redis() -> redis.Redis:
    """The broker's Redis (the queue's own server and database)."""
    return _redis(current_app.conf.broker_url)


def score_armed_key(queue_name: str | None = None) -> str:
    """The key per queue, so deployments sharing a Redis database stay apart."""
    return f"moderation:score-armed:{queue_name or current_app.conf.task_default_queue}"


def _coalescing() -> bool:
    # Eager tasks run in place: there is no queue to wait in, so every message is sent.
    return not current_app.conf.task_always_eager


def _score_arm(*, only_if_unset: bool) -> bool:
    """Set the key; whether this caller set it. Raises redis.RedisError."""
    ttl = min(SCORE_ARMED_SECONDS, settings.MODERATION_STALE_PENDING_SECONDS)
    return bool(broker_redis().set(score_armed_key(), "1", nx=only_if_unset, ex=ttl))


def score_disarm() -> None:
    """A batch is about to claim: comments committed from now on need a message of their own."""
    if not _coalescing():
        return
    try:
        broker_redis().delete(score_armed_key())
    except redis.RedisError as error:
        # The key expires by itself; until then submissions rely on the sweeper.
        logger.warning("Could not clear the scoring key: %s", error)


def comment_score_enqueue(comment_id: int) -> None:
    """Queue scoring once the comment's transaction commits; a broker outage leaves it pending."""
    transaction.on_commit(lambda: comment_score_send(comment_id))


def comment_score_send(comment_id: int) -> None:
    """Queue scoring now unless a queued message will claim this comment (see above); a broker
    outage is logged and leaves the comment pending."""
    armed = False
    if _coalescing():
        try:
            armed = _score_arm(only_if_unset=True)
        except redis.RedisError as error:
            # As before coalescing: send, and if the broker is down too the sweeper sends it.
            logger.warning(
                "Could not check the scoring key; queueing comment %s: %s", comment_id, error
            )
        else:
            if not armed:
                return
    try:
        task_send(SCORE_COMMENT, comment_id)
    except Exception as error:
        if armed:  # no message is waiting after all: the next submission must send one
            score_disarm()
        # The comment is stored; the periodic requeue scores it once the broker is back. One
        # line, not a traceback: during an outage every submission says it.
        logger.warning(
            "Could not queue comment %s for scoring; it stays pending: %s", comment_id, error
        )


def comments_score_continue() -> None:
    """A full batch queues the next one: it claims the oldest pending comments left (no id)."""
    if not _coalescing():
        return  # every comment was sent its own message
    try:
        # Submissions meanwhile rely on this message instead of sending their own.
        _score_arm(only_if_unset=False)
        task_send(SCORE_COMMENT)
    except Exception as error:
        score_disarm()
        logger.warning("Could not queue the next scoring batch; the sweeper will: %s", error)


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
