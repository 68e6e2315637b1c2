"""Every write to comments goes through here, so the API, the admin and the workers agree."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from moderation import policy, scoring
from moderation.errors import ConflictError, NotFoundError
from moderation.models import Article, Comment, ModerationEvent
from moderation.notify import services as notify_services

logger = logging.getLogger(__name__)

Status = Comment.Status


def hash_status_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def status_token_matches(comment: Comment, token: str) -> bool:
    return hmac.compare_digest(comment.status_token_hash, hash_status_token(token))


def _enqueue_scoring(comment_id: int) -> None:
    from moderation.tasks import score_comment

    try:
        score_comment.delay(comment_id)
    except Exception:
        # The comment is stored; the periodic requeue scores it once the broker is back.
        logger.exception("Could not queue comment %s for scoring; it stays pending", comment_id)


def comment_submit(
    *,
    article_id: int,
    author_name: str,
    author_email: str,
    body: str,
    parent_id: int | None = None,
    author_url: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    notify: bool = False,
) -> tuple[Comment, str]:
    """Store a reader's comment as pending and queue it for scoring once the row is committed.

    With notify, its author is emailed (after confirming their address) when it is
    published and when a reply to it is. Returns the comment and the private token that lets
    its author read its status.
    """
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFoundError(
            f"There is no article {article_id}.",
            fields={"article_id": [f"No article with id {article_id}."]},
        )
    if not article.comments_open:
        raise ConflictError(
            "Comments are closed on this article.",
            fields={"article_id": ["Comments are closed on this article."]},
        )
    if parent_id is not None and not Comment.objects.filter(pk=parent_id, article=article).exists():
        raise NotFoundError(
            "The comment replied to is not on this article.",
            fields={"parent": [f"No comment {parent_id} on article {article_id}."]},
        )

    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        comment = Comment.objects.create(
            article=article,
            parent_id=parent_id,
            author_name=author_name,
            author_email=author_email,
            author_url=author_url,
            body=body,
            ip_address=ip_address,
            user_agent=user_agent[:500],
            status_token_hash=hash_status_token(token),
        )
        if notify:
            notify_services.comment_subscription_create(comment=comment)
        transaction.on_commit(lambda: _enqueue_scoring(comment.pk))
        notify_services.comment_created_enqueue(comment_id=comment.pk)
    return comment, token


def comment_score(*, comment_id: int) -> policy.Decision | None:
    """Score a pending comment and decide it by its site's policy; a no-op if already decided."""
    comment = Comment.objects.select_related("article__site").filter(pk=comment_id).first()
    if comment is None:
        logger.warning("Comment %s no longer exists; nothing to score", comment_id)
        return None
    if comment.status != Status.PENDING:
        return None

    result = scoring.score_comment_text(comment.body)
    thresholds = policy.resolve_thresholds(
        result.default_thresholds, comment.article.site.threshold_overrides()
    )
    decision = policy.decide(result.scores, thresholds)

    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment_id, status=Status.PENDING).update(
            status=decision.status,
            spam_score=result.scores.get("spam"),
            toxicity_score=result.scores.get("toxicity"),
            scores=result.scores,
            model_versions=result.versions,
            explanation=result.explanations,
            decision_reason=decision.reason,
            decided_at=timezone.now(),
        )
        if updated == 0:
            # Another worker or a moderator got there first; their decision stands.
            return None
        ModerationEvent.objects.create(
            comment_id=comment_id,
            from_status=Status.PENDING,
            to_status=decision.status,
            actor=ModerationEvent.Actor.SYSTEM,
            reason=decision.reason,
            details={
                "scores": result.scores,
                "thresholds": {
                    name: {"publish": t.publish, "reject": t.reject}
                    for name, t in thresholds.items()
                },
                "model_versions": result.versions,
            },
        )
        notify_services.comment_status_changed_enqueue(
            comment_id=comment_id, from_status=Status.PENDING, to_status=decision.status
        )
    return decision


def comment_moderate(
    *, comment_id: int, to_status: str, moderator: AbstractBaseUser, reason: str = ""
) -> Comment:
    """A moderator's decision on a comment, checked against the state machine and logged."""
    comment = Comment.objects.filter(pk=comment_id).first()
    if comment is None:
        raise NotFoundError(
            f"There is no comment {comment_id}.",
            fields={"comment_id": [f"No comment with id {comment_id}."]},
        )
    if not comment.can_move(to_status, by_moderator=True):
        raise ConflictError(
            f"A {comment.status} comment cannot be moved to {to_status}.",
            fields={"status": [f"Comment {comment_id} is already {comment.status}."]},
        )
    from_status = comment.status
    reason = reason.strip() or f"{to_status.capitalize()} by a moderator."
    with transaction.atomic():
        updated = Comment.objects.filter(pk=comment_id, status=from_status).update(
            status=to_status, decision_reason=reason, decided_at=timezone.now()
        )
        if updated == 0:
            raise ConflictError(
                "The comment changed while you were deciding; reload and try again.",
                fields={"status": ["Changed by someone else in the meantime."]},
            )
        ModerationEvent.objects.create(
            comment_id=comment_id,
            from_status=from_status,
            to_status=to_status,
            actor=ModerationEvent.Actor.MODERATOR,
            moderator=moderator,
            reason=reason,
        )
        notify_services.comment_status_changed_enqueue(
            comment_id=comment_id, from_status=from_status, to_status=to_status
        )
    comment.refresh_from_db()
    return comment


def comment_approve(*, comment_id: int, moderator: AbstractBaseUser, reason: str = "") -> Comment:
    return comment_moderate(
        comment_id=comment_id, to_status=Status.APPROVED, moderator=moderator, reason=reason
    )


def comment_reject(*, comment_id: int, moderator: AbstractBaseUser, reason: str = "") -> Comment:
    return comment_moderate(
        comment_id=comment_id, to_status=Status.REJECTED, moderator=moderator, reason=reason
    )


def comments_requeue_stale(*, older_than_seconds: int) -> int:
    """Queue scoring again for comments left pending too long (e.g. the broker was down)."""
    from moderation.selectors import stale_pending_comment_ids

    ids = stale_pending_comment_ids(older_than_seconds=older_than_seconds)
    for comment_id in ids:
        _enqueue_scoring(comment_id)
    return len(ids)
