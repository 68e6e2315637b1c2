"""A site's allowed origins, edited on the site's own admin page."""

from __future__ import annotations

from django.contrib import admin

from moderation.admin_scoping import SiteScopedAdminMixin
from moderation.embed.models import SiteOrigin


class SiteOriginInline(admin.TabularInline):
    model = SiteOrigin
    extra = 1
    fields = ["origin", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "allowed origin"
    verbose_name_plural = "allowed origins (pages there may embed the comments)"


@admin.register(SiteOrigin)
class SiteOriginAdmin(SiteScopedAdminMixin, admin.ModelAdmin):
    list_display = ["origin", "site", "created_at"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["origin", "site__domain", "site__name"]
    list_select_related = ["site"]
