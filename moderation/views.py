"""The service's root page: where to go from here (the admin's "View site" lands here)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from moderation.models import Article

DEMO_SITE_DOMAIN = "demo.localhost"  # load_demo's site


def service_root(request: HttpRequest) -> HttpResponse:
    """Links to the admin, the API docs and the demo (`make run`'s page, else its thread)."""
    demo_url = settings.DEMO_PAGE_URL
    if not demo_url:
        article = (
            Article.objects.filter(site__domain=DEMO_SITE_DOMAIN).select_related("site").first()
        )
        if article is not None:
            demo_url = reverse(
                "embed-thread-page", args=[article.site.public_key, article.external_id]
            )
    return render(
        request,
        "moderation/service_root.html",
        {
            "admin_url": reverse("admin:index"),
            "docs_url": reverse("api-docs"),
            "demo_url": demo_url,
        },
    )
