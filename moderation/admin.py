"""The moderators' side: sites, articles, the comment review queue and the audit log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from moderation import services
from moderation.errors import ApplicationError
from moderation.models import MODERATE_COMMENT, Article, Comment, ModerationEvent, Site

KEEP_THE_LOG = (
    "The moderation log is permanent, so {what} with moderated comments cannot be deleted. "
    "To stop new comments, close comments on its articles instead (untick “Comments open”)."
)


class _ExplainProtectedDeleteMixin:
    """Deleting a site or article whose comments were moderated would erase the event log
    (ModerationEvent.comment is PROTECT); say so on the delete page, and what to do instead."""

    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(  # type: ignore[misc]
            objs, request
        )
        if protected:
            what = self.model._meta.verbose_name_plural  # type: ignore[attr-defined]
            messages.error(request, KEEP_THE_LOG.format(what=what))
        return deleted, counts, perms_needed, protected


@admin.register(Site)
class SiteAdmin(_ExplainProtectedDeleteMixin, admin.ModelAdmin):
    list_display = ["name", "domain", "created_at"]
    search_fields = ["name", "domain"]
    fieldsets = [
        (None, {"fields": ["name", "domain"]}),
        (
            "Moderation policy",
            {
                "description": "Leave empty to use the thresholds stored with each model.",
                "fields": [
                    ("spam_publish_below", "spam_reject_above"),
                    ("toxicity_publish_below", "toxicity_reject_above"),
                ],
            },
        ),
    ]


@admin.register(Article)
class ArticleAdmin(_ExplainProtectedDeleteMixin, admin.ModelAdmin):
    list_display = ["id", "title", "site", "comments_open", "created_at"]
    list_filter = ["site", "comments_open"]
    search_fields = ["title", "url", "external_id"]


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    fields = ["created_at", "from_status", "to_status", "actor", "moderator", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


def _decide_selected(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, service, verb: str
) -> None:
    done, refused = 0, []
    for comment_id in queryset.values_list("id", flat=True):
        try:
            service(comment_id=comment_id, moderator=request.user)
            done += 1
        except ApplicationError as error:
            refused.append(f"#{comment_id}: {error.message}")
    if done:
        modeladmin.message_user(request, f"{verb} {done} comment(s).", messages.SUCCESS)
    if refused:
        modeladmin.message_user(
            request, f"Left {len(refused)} unchanged: " + " ".join(refused), messages.WARNING
        )


@admin.register(Comment)
class CommentAdmin(_ExplainProtectedDeleteMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "short_body",
        "author_name",
        "article",
        "status",
        "spam_score",
        "toxicity_score",
        "decision_reason",
        "created_at",
    ]
    list_filter = ["status", "article__site", "created_at"]
    search_fields = ["body", "author_name", "author_email"]
    list_select_related = ["article"]
    actions = ["approve_selected", "reject_selected", "send_back_selected"]
    inlines = [ModerationEventInline]
    readonly_fields = [
        "article",
        "decision_label",
        "parent",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "ip_address",
        "user_agent",
        "created_at",
        "status",
        "spam_score",
        "toxicity_score",
        "scores",
        "model_versions",
        "why",
        "decision_reason",
        "decided_at",
    ]
    exclude = ["explanation", "status_token_hash"]
    # The desk's decision buttons (approve, spam, abuse, back to queue, undo) instead of Save.
    change_form_template = "admin/moderation/desk/comment_change_form.html"

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_moderate_permission(request):
            extra_context["desk_config"] = {
                "decideUrl": reverse("admin:moderation_desk_decide"),
                "undoUrl": reverse("admin:moderation_desk_undo"),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the API

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Every field is read-only and decisions are actions: no Save buttons that save nothing.
        return False

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_COMMENT)

    @admin.display(description="Comment")
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

    @admin.display(description="What pushed the scores up")
    def why(self, comment: Comment) -> str:
        rows = [
            (model, item["feature"], f"{item['weight']:+.3f}")
            for model, items in (comment.explanation or {}).items()
            for item in items
        ]
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>model</th><th>feature</th><th>weight</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.action(description="Approve (publish) selected comments", permissions=["moderate"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _decide_selected(self, request, queryset, services.comment_approve, "Approved")

    @admin.action(description="Reject selected comments", permissions=["moderate"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _decide_selected(self, request, queryset, services.comment_reject, "Rejected")

    @admin.action(
        description="Send selected comments back to the moderation queue (held)",
        permissions=["moderate"],
    )
    def send_back_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        _decide_selected(
            self, request, queryset, services.comment_send_back, "Sent back to the queue"
        )


@admin.register(ModerationEvent)
class ModerationEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "comment", "from_status", "to_status", "actor", "moderator"]
    list_filter = ["actor", "to_status"]
    search_fields = ["reason", "comment__body"]
    list_select_related = ["comment", "moderator"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
