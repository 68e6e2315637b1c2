"""Reads that need care: what the public may see, and what moderators work through."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from moderation.errors import NotFoundError
from moderation.models import MODERATE_COMMENT, Article, Comment, ModerationEvent, Site


def comments_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Comment]:
    """Every comment this user may see and decide as a moderator; none without the permission.

    The one place site scoping applies: the queue, its actions and its counts all start here.
    """
    if not user.is_active or not user.has_perm(MODERATE_COMMENT):
        return Comment.objects.none()
    return Comment.objects.all()


def sites_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Site]:
    """The sites whose comments this user moderates (see comments_visible_to)."""
    if not user.is_active or not user.has_perm(MODERATE_COMMENT):
        return Site.objects.none()
    return Site.objects.all()


def comments_published(*, article_id: int) -> QuerySet[Comment]:
    """Approved comments of an article, oldest first, so replies follow what they answer."""
    if not Article.objects.filter(pk=article_id).exists():
        raise NotFoundError(
            f"There is no article {article_id}.",
            fields={"article_id": [f"No article with id {article_id}."]},
        )
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED).order_by(
        "created_at", "id"
    )


def comment_for_author(*, comment_id: int, token: str) -> Comment:
    """The comment its author asks about, only with the private token it was submitted with."""
    comment = Comment.objects.filter(pk=comment_id).first()
    # One answer for "no such comment" and "wrong token", so ids can't be probed.
    if comment is None or not comment.token_matches(token):
        raise NotFoundError(
            "No comment with that id and token.",
            fields={"token": ["Does not match this comment."]},
        )
    return comment


def comment_for_moderator(*, comment_id: int) -> Comment:
    """One comment in full, with its moderation events (and who made them) oldest first."""
    comment = (
        Comment.objects.select_related("article__site")
        .prefetch_related(
            Prefetch("events", queryset=ModerationEvent.objects.select_related("moderator"))
        )
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise NotFoundError(
            f"There is no comment {comment_id}.",
            fields={"comment_id": [f"No comment with id {comment_id}."]},
        )
    return comment


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
