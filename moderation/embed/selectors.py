"""Reads of the embed side: a site by its public key, an article by its own id, the thread."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from moderation.embed.models import SiteOrigin
from moderation.embed.origins import normalize_origin
from moderation.errors import NotFoundError
from moderation.models import Article, Comment, Site

Status = Comment.Status
# What a thread shows of each comment (the widget's JSON and the no-JavaScript page).
THREAD_FIELDS = ("id", "parent_id", "status", "author_name", "author_url", "body", "created_at")


def site_by_public_key(*, public_key: str) -> Site:
    site = Site.objects.filter(public_key=public_key).first()
    if site is None:
        raise NotFoundError(
            "No site has that public key.",
            fields={"public_key": ["Check the data-site attribute of the embed snippet."]},
        )
    return site


def site_allows_origin(*, site_id: int, origin: str) -> bool:
    """Whether pages on origin may embed the site's comments (False for a malformed origin)."""
    try:
        normalized = normalize_origin(origin)
    except ValueError:
        return False
    return SiteOrigin.objects.filter(site_id=site_id, origin=normalized).exists()


def article_by_external_id(*, site: Site, external_id: str) -> Article:
    article = Article.objects.filter(site=site, external_id=external_id).first()
    if article is None:
        raise NotFoundError(
            f"The site has no article {external_id!r}.",
            fields={"external_id": [f"No article {external_id!r} on this site."]},
        )
    return article


def article_comments_for_site(*, article: Article, status: str = "") -> QuerySet[Comment]:
    """Every comment of the article, any status (or one), oldest first: for the site's server."""
    comments = Comment.objects.filter(article=article).order_by("created_at", "id")
    return comments.filter(status=status) if status else comments


def article_status_counts(*, article: Article) -> dict[str, int]:
    """How many of the article's comments are in each status, every status named."""
    counts = dict.fromkeys(Status.values, 0)
    rows = Comment.objects.filter(article=article).values_list("status").annotate(n=Count("id"))
    counts.update({status: n for status, n in rows})
    return counts


@dataclass
class ThreadComment:
    """A published comment, or the "[removed]" place of an unpublished one that has replies."""

    comment: Comment
    removed: bool
    parent_id: int | None
    replies: list[ThreadComment] = field(default_factory=list)


@dataclass
class ThreadPage:
    threads: list[ThreadComment]
    count: int  # published comments on the article
    thread_count: int  # top-level places, over all pages
    page: int
    page_size: int
    max_depth: int

    @property
    def has_more(self) -> bool:
        return self.page * self.page_size < self.thread_count


def article_thread(
    *, article: Article, max_depth: int, order: str = "oldest", page: int = 1, page_size: int = 20
) -> ThreadPage:
    """One page of the article's published threads, top-level comments in the given order.

    Replies come oldest first under their parent, never deeper than max_depth levels (older
    comments stored deeper are shown on the last level). An unpublished comment keeps its place,
    as removed, only while a published reply hangs below it.
    """
    # Every comment's place, oldest first: the database sorts, so no date is read per row.
    rows: dict[int, tuple[int | None, str]] = {
        pk: (parent_id, status)
        for pk, parent_id, status in Comment.objects.filter(article=article)
        .order_by("created_at", "id")
        .values_list("id", "parent_id", "status")
    }
    rank = {pk: position for position, pk in enumerate(rows)}
    shown: set[int] = set()
    published = 0
    for pk, (_, status) in rows.items():
        if status != Status.APPROVED:
            continue
        published += 1
        node: int | None = pk
        while node is not None and node not in shown:
            shown.add(node)
            node = rows[node][0]

    display_parent: dict[int, int | None] = {}
    for pk in shown:
        ancestors: list[int] = []  # top-level comment first
        node = rows[pk][0]
        while node is not None:
            ancestors.insert(0, node)
            node = rows[node][0]
        if len(ancestors) < max_depth:
            display_parent[pk] = ancestors[-1] if ancestors else None
        else:
            display_parent[pk] = ancestors[max_depth - 2] if max_depth >= 2 else None

    sort_key = rank.__getitem__

    roots = sorted(
        (pk for pk, parent in display_parent.items() if parent is None),
        key=sort_key,
        reverse=order == "newest",
    )
    start = (page - 1) * page_size
    page_roots = roots[start : start + page_size]

    children: dict[int, list[int]] = {}
    for pk, parent in display_parent.items():
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    wanted: list[int] = []
    stack = list(page_roots)
    while stack:
        pk = stack.pop()
        wanted.append(pk)
        stack.extend(children.get(pk, []))
    comments = Comment.objects.only(*THREAD_FIELDS).in_bulk(wanted)

    def build(pk: int) -> ThreadComment:
        comment = comments[pk]
        return ThreadComment(
            comment=comment,
            removed=comment.status != Status.APPROVED,
            parent_id=display_parent[pk],
            replies=[build(child) for child in sorted(children.get(pk, []), key=sort_key)],
        )

    return ThreadPage(
        threads=[build(pk) for pk in page_roots],
        count=published,
        thread_count=len(roots),
        page=page,
        page_size=page_size,
        max_depth=max_depth,
    )
