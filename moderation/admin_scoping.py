"""Shared admin building blocks: site scoping (another site's rows do not exist for a scoped
user) and read-only log pages.

Lists, change pages, history, actions (they run on the list's queryset) and the site choices
of forms all start from the scoping selectors.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.models import Site
from moderation.selectors import sites_visible_to


class SiteScopedAdminMixin:
    """For admins of per-site models; `site_path` leads from the model to its Site."""

    site_path = "site"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        return queryset.filter(**{f"{self.site_path}__in": sites_visible_to(user=request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.related_model is Site:
            kwargs["queryset"] = sites_visible_to(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log: looked at, never added to, edited or deleted from the admin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
