"""The dashboard (admin index: "Dashboard"), model versions, shadow trials, threshold changes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F, FloatField, QuerySet
from django.db.models.functions import Abs
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html

from moderation.admin_scoping import ReadOnlyAdmin, SiteScopedAdminMixin
from moderation.learning import views
from moderation.learning.models import Dashboard, ModelVersion, ShadowScore, ThresholdChange


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    """No change list: the index entry opens the dashboard, for users with view_dashboard."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(views.VIEW_DASHBOARD)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(views.VIEW_DASHBOARD)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self):
        def dashboard(request: HttpRequest):
            return views.dashboard_view(request, self.admin_site)

        return [
            path("", self.admin_site.admin_view(dashboard), name="moderation_dashboard_changelist")
        ]


@admin.register(ModelVersion)
class ModelVersionAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["version", "model", "site", "status", "auc", "created_at", "promoted_at"]
    list_filter = ["model", "status", "site"]
    readonly_fields = [f.name for f in ModelVersion._meta.fields]

    @admin.display(description="ROC-AUC live → candidate (held-out labels)")
    def auc(self, obj: ModelVersion) -> str:
        m = obj.metrics or {}
        return f"{m.get('current_auc')} → {m.get('candidate_auc')} on {m.get('held_out_rows')}"


class DiffersFilter(admin.SimpleListFilter):
    title = "decisions"
    parameter_name = "differs"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "would have differed"), ("no", "the same")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(live_status=F("shadow_status"))
        if self.value() == "no":
            return queryset.filter(live_status=F("shadow_status"))
        return queryset


@admin.register(ShadowScore)
class ShadowScoreAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    """Where a shadow candidate and the live model would have differed, and by how much."""

    site_path = "comment__article__site"
    list_display = [
        "comment_link",
        "version",
        "label",
        "live_score",
        "shadow_score",
        "delta",
        "live_status",
        "shadow_status",
        "differs",
    ]
    list_filter = [DiffersFilter, "version", "label"]
    ordering = ["-created_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .select_related("version", "comment")
            .annotate(gap=Abs(F("shadow_score") - F("live_score"), output_field=FloatField()))
        )

    @admin.display(description="comment")
    def comment_link(self, obj: ShadowScore) -> str:
        url = reverse("admin:moderation_comment_change", args=[obj.comment_id])
        return format_html('<a href="{}">{}</a>', url, obj.comment.body[:80])

    @admin.display(description="shadow minus live", ordering="gap")
    def delta(self, obj: ShadowScore) -> str:
        return f"{obj.shadow_score - obj.live_score:+.3f}"

    @admin.display(boolean=True, description="differs")
    def differs(self, obj: ShadowScore) -> bool:
        return obj.differs


@admin.register(ThresholdChange)
class ThresholdChangeAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    """Every confirmed change with its backtest; "add" computes thresholds from a target."""

    list_display = [
        "site",
        "label",
        "target",
        "source",
        "before",
        "after",
        "confirmed_by",
        "created_at",
    ]
    list_filter = ["site", "label"]
    readonly_fields = [f.name for f in ThresholdChange._meta.fields]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("moderation.add_thresholdchange")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm("moderation.view_thresholdchange")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None):
        return views.thresholds_view(request, self.admin_site)
