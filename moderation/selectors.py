"""Reads that need care: what the public may see, and what moderators work through."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import QuerySet
from django.utils import timezone

from moderation.models import Comment


def comments_published(*, article_id: int) -> QuerySet[Comment]:
    """Approved comments of an article, oldest first, so replies follow what they answer."""
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED).order_by(
        "created_at", "id"
    )


def comments_for_moderation(
    *, status: str | None = None, site_id: int | None = None, article_id: int | None = None
) -> QuerySet[Comment]:
    comments = Comment.objects.select_related("article__site").order_by("-created_at", "-id")
    if status:
        comments = comments.filter(status=status)
    if site_id:
        comments = comments.filter(article__site_id=site_id)
    if article_id:
        comments = comments.filter(article_id=article_id)
    return comments


def stale_pending_comment_ids(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Comment.objects.filter(status=Comment.Status.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
