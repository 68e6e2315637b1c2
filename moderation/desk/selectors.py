"""The queue's reads: its order, filters, counts and author history, in a fixed number of queries.

Order (documented in the README): held comments first, then pending, rejected and approved. Within
a status, the most likely harmful first: "harm" is the highest of the spam and toxicity scores,
taken in tenths (a comment at 0.87 ranks with one at 0.81), and inside a tenth the longest waiting
first. Held comments are the ones the models were unsure about (between a publish and a reject
threshold), so the top of the queue is the most uncertain and most likely harmful work; the tenths
keep the order stable enough that nothing waits behind a stream of slightly higher scores.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from moderation.models import (
    Article,
    Comment,
    Site,
    comment_harm,
    comment_harm_tenth,
    comment_queue_rank,
)
from moderation.selectors import comments_visible_to, sites_visible_to

Status = Comment.Status

# Score bands on the highest model score: what the band filter offers.
BANDS = {
    "low": (0.0, 0.3),
    "medium": (0.3, 0.7),
    "high": (0.7, 1.01),
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = Status.HELD  # "" shows every status
    site_id: int | None = None
    article_id: int | None = None
    label: str = ""
    rule: str = ""  # a house rule that fired (moderation.policy.verdict.RULE_WORDS)
    band: str = ""
    since: date | None = None
    until: date | None = None
    search: str = ""


def queue_comments(
    *, user: AbstractBaseUser | AnonymousUser, filters: QueueFilters
) -> QuerySet[Comment]:
    """The comments of the queue for this user, filtered and in priority order (see above)."""
    comments = comments_visible_to(user=user)
    if filters.status:
        comments = comments.filter(status=filters.status)
    if filters.site_id:
        comments = comments.filter(article__site_id=filters.site_id)
    if filters.article_id:
        comments = comments.filter(article_id=filters.article_id)
    if filters.label:
        comments = comments.filter(decision_label=filters.label)
    if filters.rule:
        comments = comments.filter(fired_rules__contains=f",{filters.rule},")
    if filters.band:
        low, high = BANDS[filters.band]
        comments = comments.alias(harm=comment_harm()).filter(harm__gte=low, harm__lt=high)
    tz = timezone.get_current_timezone()
    if filters.since:
        comments = comments.filter(created_at__gte=datetime.combine(filters.since, time.min, tz))
    if filters.until:
        comments = comments.filter(created_at__lte=datetime.combine(filters.until, time.max, tz))
    if filters.search:
        comments = comments.filter(
            Q(body__icontains=filters.search)
            | Q(author_name__icontains=filters.search)
            | Q(author_email__icontains=filters.search)
        )
    # The same expressions as the indexes comment_queue_order and comment_queue_all_order, so
    # the database reads a page off an index instead of sorting every matching comment.
    order = [comment_harm_tenth().desc(), "created_at", "id"]
    if not filters.status:
        order.insert(0, comment_queue_rank())
    # The sites' own thresholds (the badges' colours) in one query for the page, not one a site.
    return (
        comments.select_related("article__site", "parent")
        .prefetch_related("article__site__thresholds")
        .order_by(*order)
    )


@dataclass
class SiteCounts:
    site_id: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)


def status_counts(*, user: AbstractBaseUser | AnonymousUser) -> tuple[list[SiteCounts], dict]:
    """Comments per status for each site the user moderates, and the totals (three queries)."""
    sites = {
        site.pk: SiteCounts(site.pk, site.name, dict.fromkeys(Status.values, 0))
        for site in sites_visible_to(user=user).only("id", "name")
    }
    totals = dict.fromkeys(Status.values, 0)
    # Grouped by article, then summed per site: COUNT(*) by (article, status) is an index-only
    # scan of the article/status index, where a join to sites or COUNT(id) reads every row.
    rows = list(
        comments_visible_to(user=user)
        .order_by()
        .values_list("article_id", "status")
        .annotate(n=Count("*"))
    )
    site_of = dict(
        Article.objects.filter(pk__in={article_id for article_id, _, _ in rows}).values_list(
            "pk", "site_id"
        )
    )
    for article_id, status, n in rows:
        site_id = site_of.get(article_id)
        site = sites.get(site_id) if site_id is not None else None
        if site is not None:
            site.counts[status] += n
        totals[status] = totals.get(status, 0) + n
    return list(sites.values()), totals


def queue_articles(*, user: AbstractBaseUser | AnonymousUser, site_id: int | None, limit=200):
    """The most recent articles the article filter offers (of the chosen site, if any)."""
    articles = Article.objects.filter(site__in=sites_visible_to(user=user))
    if site_id:
        articles = articles.filter(site_id=site_id)
    return list(articles.order_by("-created_at").only("id", "title", "site_id")[:limit])


def queue_sites(*, user: AbstractBaseUser | AnonymousUser) -> list[Site]:
    return list(sites_visible_to(user=user).only("id", "name"))


@dataclass(frozen=True)
class AuthorHistory:
    """How many of an author's comments ended in each status, by e-mail and by IP address.

    By IP means by the address's keyed hash (`ip_hash`), which outlives the plain address's
    retention period, so the history stays whole once the address is erased.
    """

    by_email: dict[str, dict[str, int]]
    by_ip_hash: dict[str, dict[str, int]]


def author_history(
    *, user: AbstractBaseUser | AnonymousUser, comments: list[Comment]
) -> AuthorHistory:
    """The history of every author on a page, in one aggregated query."""
    emails = {c.author_email for c in comments if c.author_email}
    ip_hashes = {c.ip_hash for c in comments if c.ip_hash}
    by_email: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    by_ip_hash: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Status.values, 0))
    if not emails and not ip_hashes:
        return AuthorHistory({}, {})
    rows = (
        comments_visible_to(user=user)
        .filter(Q(author_email__in=emails) | Q(ip_hash__in=ip_hashes))
        .order_by()
        .values("author_email", "ip_hash", "status")
        .annotate(n=Count("id"))
    )
    for row in rows:
        if row["author_email"] in emails:
            by_email[row["author_email"]][row["status"]] += row["n"]
        if row["ip_hash"] in ip_hashes:
            by_ip_hash[row["ip_hash"]][row["status"]] += row["n"]
    return AuthorHistory(dict(by_email), dict(by_ip_hash))
