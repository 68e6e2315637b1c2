"""Writes of the embed side: allowed origins and articles addressed by the site's own id."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from moderation.embed.models import SiteOrigin
from moderation.embed.origins import normalize_origin, origin_of_url
from moderation.embed.selectors import site_allows_origin
from moderation.errors import ApplicationError, PermissionDeniedError
from moderation.models import Article, Site


def site_origin_add(*, site: Site, origin: str) -> SiteOrigin:
    """Allow pages on origin to embed the site's comments; adding one twice is a no-op."""
    try:
        normalized = normalize_origin(origin)
    except ValueError as error:
        raise ApplicationError(str(error), fields={"origin": [str(error)]}) from None
    with transaction.atomic():
        site_origin, _ = SiteOrigin.objects.get_or_create(site=site, origin=normalized)
    return site_origin


def article_upsert(
    *,
    site: Site,
    external_id: str,
    title: str,
    url: str,
    published_at: datetime | None = None,
    comments_open: bool = True,
    comments_close_at: datetime | None = None,
) -> tuple[Article, bool]:
    """Create or update the site's article with its own id; True when it was created."""
    fields = {
        "title": title,
        "url": url,
        "published_at": published_at,
        "comments_open": comments_open,
        "comments_close_at": comments_close_at,
    }
    with transaction.atomic():
        article, created = Article.objects.select_for_update().update_or_create(
            site=site, external_id=external_id, defaults=fields
        )
    return article, created


def article_auto_create(
    *, site: Site, external_id: str, title: str, url: str, request_origin: str
) -> tuple[Article, bool]:
    """The widget's first load of an unknown article id creates it, if the site allows that.

    The page must be on one of the site's allowed origins, and so must the URL it gives.
    """
    existing = Article.objects.filter(site=site, external_id=external_id).first()
    if existing is not None:
        return existing, False
    if not site.embed_auto_create_articles:
        raise PermissionDeniedError(
            "This site does not create articles from the widget; its server registers them.",
            fields={"external_id": [f"No article {external_id!r} on this site."]},
        )
    if not site_allows_origin(site_id=site.pk, origin=request_origin):
        raise PermissionDeniedError(
            "This page's origin is not one the site allows.",
            fields={"origin": [f"{request_origin or 'No origin'} is not allowed for this site."]},
        )
    url_origin = origin_of_url(url)
    if url_origin is None or not site_allows_origin(site_id=site.pk, origin=url_origin):
        raise ApplicationError(
            "The article's URL must be on one of the site's allowed origins.",
            fields={"url": ["Not on an origin this site allows."]},
        )
    try:
        with transaction.atomic():
            article = Article.objects.create(
                site=site, external_id=external_id, title=title, url=url
            )
    except IntegrityError:
        # Two first loads at once: the other one created it.
        return Article.objects.get(site=site, external_id=external_id), False
    return article, True
