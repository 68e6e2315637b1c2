"""CORS for the public API: a request's origin is granted only if the article's site lists it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from moderation.embed.selectors import site_allows_origin
from moderation.models import Article, Comment, Site


def _site_id_for_route(url_name: str | None, kwargs: dict[str, Any]) -> int | None:
    """The site that owns what a public API route addresses, or None."""
    if "public_key" in kwargs and url_name and url_name.startswith("embed-"):
        return (
            Site.objects.filter(public_key=kwargs["public_key"])
            .values_list("id", flat=True)
            .first()
        )
    if url_name == "article-comments":
        return (
            Article.objects.filter(pk=kwargs["article_id"])
            .values_list("site_id", flat=True)
            .first()
        )
    if url_name == "comment-status":
        return (
            Comment.objects.filter(pk=kwargs["comment_id"])
            .values_list("article__site_id", flat=True)
            .first()
        )
    return None


def origin_allowed_for_route(sender: object, request: HttpRequest, **kwargs: object) -> bool:
    """django-cors-headers' check_request_enabled receiver (preflights and requests alike)."""
    origin = request.headers.get("Origin")
    if not origin:
        return False
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return False
    site_id = _site_id_for_route(match.url_name, match.kwargs)
    return site_id is not None and site_allows_origin(site_id=site_id, origin=origin)
