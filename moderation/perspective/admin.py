"""Read-only admin pages for what the Perspective-compatible API keeps."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from moderation.admin_scoping import SiteScopedAdminMixin
from moderation.perspective.models import AnalyzedText, AnalyzeUsage, ScoreSuggestion


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(AnalyzeUsage)
class AnalyzeUsageAdmin(SiteScopedAdminMixin, _ReadOnly):
    site_path = "api_key__site"
    list_display = ["day", "api_key", "analyze_count", "suggest_count"]
    list_filter = [("api_key__site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["api_key__site"]
    date_hierarchy = "day"


@admin.register(AnalyzedText)
class AnalyzedTextAdmin(SiteScopedAdminMixin, _ReadOnly):
    list_display = ["created_at", "site", "api_key", "short_text", "scores"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["site", "api_key"]
    search_fields = ["text"]

    @admin.display(description="Text")
    def short_text(self, obj: AnalyzedText) -> str:
        return obj.text[:80]


@admin.register(ScoreSuggestion)
class ScoreSuggestionAdmin(SiteScopedAdminMixin, _ReadOnly):
    list_display = ["created_at", "site", "api_key", "short_text", "labels"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["site", "api_key"]
    search_fields = ["text"]

    @admin.display(description="Text")
    def short_text(self, obj: ScoreSuggestion) -> str:
        return obj.text[:80]
