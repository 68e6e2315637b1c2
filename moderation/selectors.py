"""Reads that need care: what the public may see, and what moderators work through."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from moderation.errors import NotFoundError
from moderation.models import (
    CLASSIFIER_UNAVAILABLE_LABEL,
    MODERATE_COMMENT,
    Actor,
    Article,
    Comment,
    ModerationEvent,
    Site,
    SiteMembership,
)
from moderation.notify.selectors import site_has_active_webhook

# --- site scoping ----------------------------------------------------------------------------
# Every read a moderator or site manager makes starts from these, so a user scoped to some sites
# never sees, nor acts on, another site's rows: not in the API, the admin or the queue.


def scoped_site_ids(*, user: Any) -> list[int] | None:
    """The sites a user is limited to; None means no limit (superusers, or no memberships)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    if not getattr(user, "is_authenticated", False):
        return []
    site_ids = list(SiteMembership.objects.filter(user=user).values_list("site_id", flat=True))
    return site_ids or None


def sites_visible_to(*, user: Any) -> QuerySet[Site]:
    """Superusers and unscoped moderators: every site; users with memberships: theirs; else none.

    A site manager holds no moderate permission, so they see exactly their member sites.
    """
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Site.objects.none()
    site_ids = scoped_site_ids(user=user)
    if site_ids is not None:
        return Site.objects.filter(pk__in=site_ids)
    if user.is_superuser or user.has_perm(MODERATE_COMMENT):
        return Site.objects.all()
    return Site.objects.none()


def comments_visible_to(*, user: Any) -> QuerySet[Comment]:
    """The comments a user may see and decide: all, their sites' only, or none without the perm."""
    if not (getattr(user, "is_authenticated", False) and user.has_perm(MODERATE_COMMENT)):
        return Comment.objects.none()
    site_ids = scoped_site_ids(user=user)
    if site_ids is None:
        return Comment.objects.all()
    return Comment.objects.filter(article__site_id__in=site_ids)


def articles_visible_to(*, user: Any) -> QuerySet[Article]:
    return Article.objects.filter(site__in=sites_visible_to(user=user))


def moderation_events_visible_to(*, user: Any) -> QuerySet[ModerationEvent]:
    if not (getattr(user, "is_authenticated", False) and user.has_perm(MODERATE_COMMENT)):
        return ModerationEvent.objects.none()
    site_ids = scoped_site_ids(user=user)
    if site_ids is None:
        return ModerationEvent.objects.all()
    return ModerationEvent.objects.filter(comment__article__site_id__in=site_ids)


# --- comments --------------------------------------------------------------------------------


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


def article_for_submission(*, article_id: int) -> tuple[Article, bool] | None:
    """The article a comment is submitted to, with its site and house rules (see
    `rules.selectors.rules_of`), and whether its site has an active webhook endpoint, in one
    query (it was three). None when there is no such article."""
    articles = Article.objects.select_related("site__house_rules").annotate(
        site_webhooks=site_has_active_webhook(Article._meta.db_table)
    )
    try:
        article = articles.get(pk=article_id)  # no ORDER BY, unlike first()
    except Article.DoesNotExist:
        return None
    return article, article.site_webhooks  # the annotation


def comment_for_author(*, comment_id: int, token: str, public_key: str | None = None) -> Comment:
    """The comment its author asks about, only with the private token it was submitted with
    (and, on the widget's routes, only on the site with that public key)."""
    comments = Comment.objects.filter(pk=comment_id)
    if public_key is not None:
        comments = comments.filter(article__site__public_key=public_key)
    comment = comments.first()
    # One answer for "no such comment" and "wrong token", so ids can't be probed.
    if comment is None or not comment.token_matches(token):
        raise NotFoundError(
            "No comment with that id and token.",
            fields={"token": ["Does not match this comment."]},
        )
    return comment


def comment_for_moderator(*, comment_id: int, user: Any) -> Comment:
    """One comment in full, with its events oldest first; 404 outside the user's sites."""
    comment = (
        comments_visible_to(user=user)
        .select_related("article__site")
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
    *,
    user: Any,
    status: str | None = None,
    site_id: int | None = None,
    article_id: int | None = None,
) -> QuerySet[Comment]:
    comments = (
        comments_visible_to(user=user)
        .select_related("article__site")
        .order_by("-created_at", "-id")
    )
    if status:
        comments = comments.filter(status=status)
    if site_id:
        comments = comments.filter(article__site_id=site_id)
    if article_id:
        comments = comments.filter(article_id=article_id)
    return comments


def stale_pending_comment_ids(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Pending comments whose scoring was last queued longer ago than older_than_seconds."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Comment.objects.filter(status=Comment.Status.PENDING, last_enqueued_at__lt=cutoff)
        .order_by("last_enqueued_at", "id")
        .values_list("id", flat=True)[:limit]
    )


def moderator_acted_on() -> Exists:
    """In a filter on comments: whether a moderator ever changed the comment."""
    return Exists(ModerationEvent.objects.filter(comment=OuterRef("pk"), actor=Actor.MODERATOR))


def held_unscored_comments() -> QuerySet[Comment]:
    """Comments held because no model could score them, that no moderator has acted on."""
    return Comment.objects.filter(
        status=Comment.Status.HELD, decision_label=CLASSIFIER_UNAVAILABLE_LABEL
    ).filter(~moderator_acted_on())


def held_unscored_comment_ids(*, older_than_seconds: int, limit: int = 1000) -> list[int]:
    """Held-unscored comments whose scoring was last queued longer ago than older_than_seconds."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        held_unscored_comments()
        .filter(last_enqueued_at__lt=cutoff)
        .order_by("last_enqueued_at", "id")
        .values_list("id", flat=True)[:limit]
    )
