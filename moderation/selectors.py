"""Reads that need care: what the public may see, and what moderators work through."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connections, router
from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet
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
from moderation.rules.models import SiteRules

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


@dataclass(frozen=True)
class _SubmissionRead:
    """article_for_submission's query, compiled by the ORM once per process and database."""

    sql: str
    params: tuple[Any, ...]  # with the article id's slot at pk_slot
    pk_slot: int
    converters: dict[int, tuple[list[Any], Any]]  # the ORM's from_db_value steps, by column


_PK_SLOT_MARK = 1_234_567  # a valid id, so that the ORM compiles the lookup as any id's


def _concrete_attnames(model: type[Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


_ARTICLE_FIELDS = _concrete_attnames(Article)
_SITE_FIELDS = _concrete_attnames(Site)
_RULES_FIELDS = _concrete_attnames(SiteRules)
# The house rules' site_id is not read: it is the site's id, and a LEFT JOIN's own key column
# could be trimmed to the site's (never NULL). Its slot in the rules' values is filled in.
_RULES_COLUMNS = [name for name in _RULES_FIELDS if name != "site_id"]
_RULES_SITE_SLOT = _RULES_FIELDS.index("site_id")
_RULES_PK_SLOT = _RULES_COLUMNS.index(SiteRules._meta.pk.attname)


@functools.cache
def _submission_read(alias: str) -> _SubmissionRead:
    columns = [
        *_ARTICLE_FIELDS,
        *(f"site__{name}" for name in _SITE_FIELDS),
        *(f"site__house_rules__{name}" for name in _RULES_COLUMNS),
        "site_webhooks",
    ]
    query = (
        Article.objects.using(alias)
        .filter(pk=_PK_SLOT_MARK)
        .annotate(site_webhooks=site_has_active_webhook(Article._meta.db_table))
        .order_by()  # as get() does
        .values_list(*columns)
        .query
    )
    compiler = query.get_compiler(alias)
    sql, params = compiler.as_sql()
    assert compiler.select is not None  # set by as_sql
    return _SubmissionRead(
        sql=sql,
        params=tuple(params),
        pk_slot=list(params).index(_PK_SLOT_MARK),
        converters=compiler.get_converters([column for column, _sql, _alias in compiler.select]),
    )


def article_for_submission(*, article_id: int) -> tuple[Article, bool] | None:
    """The article a comment is submitted to, with its site and house rules (see
    `rules.selectors.rules_of`), and whether its site has an active webhook endpoint, in one
    query. None when there is no such article.

    The query `select_related("site__house_rules")` with the webhook flag would run, compiled
    by the ORM once per process instead of on every submission (compiling it cost ~1.4 ms of
    CPU, four times running it). Every row is read fresh, its values converted as the ORM
    converts them and the instances built with `Model.from_db`, as a queryset builds them.
    """
    alias = router.db_for_read(Article)
    read = _submission_read(alias)
    params = list(read.params)
    params[read.pk_slot] = int(article_id)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(read.sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, (steps, expression) in read.converters.items():
        for step in steps:
            values[index] = step(values[index], expression, connection)
    article_end = len(_ARTICLE_FIELDS)
    site_end = article_end + len(_SITE_FIELDS)
    article = Article.from_db(alias, _ARTICLE_FIELDS, values[:article_end])
    site = Site.from_db(alias, _SITE_FIELDS, values[article_end:site_end])
    Article.site.field.set_cached_value(article, site)
    rules_values = values[site_end:-1]
    rules = None
    if rules_values[_RULES_PK_SLOT] is not None:  # the site has its own rules
        rules_values.insert(_RULES_SITE_SLOT, site.pk)
        rules = SiteRules.from_db(alias, _RULES_FIELDS, rules_values)
        SiteRules.site.field.set_cached_value(rules, site)
    # Cached even when None, as select_related does: site.house_rules then raises DoesNotExist
    # without a query.
    Site.house_rules.related.set_cached_value(site, rules)
    return article, bool(values[-1])


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
