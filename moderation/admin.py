"""The moderators' side: sites, articles, the comment review queue and the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from moderation import scoring, selectors, services
from moderation.admin_scoping import ReadOnlyAdmin, SiteScopedAdminMixin
from moderation.embed.admin import SiteOriginInline
from moderation.errors import ApplicationError
from moderation.models import (
    MODERATE_COMMENT,
    Article,
    Comment,
    ModerationEvent,
    Site,
    SiteMembership,
    SiteThreshold,
)
from moderation.rules.admin import (
    CampaignFilter,
    FiredRuleFilter,
    SiteRulesInline,
    campaign_html,
    fired_rules_html,
)

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


class SiteThresholdForm(forms.ModelForm):
    label = forms.ChoiceField(choices=[])

    class Meta:
        model = SiteThreshold
        fields = ["label", "publish_below", "reject_above"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read when the form is built, so the list follows settings.MODERATION_LABELS.
        labels = list(settings.MODERATION_LABELS)
        if self.instance.pk and self.instance.label not in labels:
            labels.append(self.instance.label)  # shown, so the row can be seen and corrected
        label_field = self.fields["label"]
        assert isinstance(label_field, forms.ChoiceField)
        label_field.choices = [(label, label.replace("_", " ")) for label in labels]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.has_changed() and "label" in data:
            # New values are chosen against the model scoring the label now.
            self.instance.set_for(scoring.label_versions().get(data["label"], ""))
        return data


class SiteThresholdInline(admin.TabularInline):
    model = SiteThreshold
    form = SiteThresholdForm
    fields = ["label", "publish_below", "reject_above", "set_for_model"]
    readonly_fields = ["set_for_model"]
    extra = 0
    verbose_name = "threshold override"
    verbose_name_plural = (
        "Moderation policy: thresholds by label (labels without a row use the models' own; "
        "an empty reject threshold means never reject automatically on that label)"
    )

    @admin.display(description="set for model")
    def set_for_model(self, row: SiteThreshold) -> str:
        if not row.pk:
            return ""
        current = scoring.label_versions().get(row.label)
        if row.needs_review(current):
            was = row.model_version or "an earlier model"
            return f"{was}: revisit, the model is now {current} and its scores have moved"
        return row.model_version


@admin.register(Site)
class SiteAdmin(_ExplainProtectedDeleteMixin, admin.ModelAdmin):
    """Site managers edit their member sites' settings here and see no other site."""

    list_display = ["name", "domain", "created_at"]
    search_fields = ["name", "domain"]
    readonly_fields = ["public_key_once_saved"]
    inlines = [SiteOriginInline, SiteThresholdInline, SiteRulesInline]
    fieldsets = [
        (None, {"fields": ["name", "domain"]}),
        (
            "Perspective-compatible API",
            {"fields": ["analyzed_text_retention_days"]},
        ),
        (
            "Embedded comments",
            {
                "description": "The public key goes in the embed snippet's data-site.",
                "fields": [
                    "public_key_once_saved",
                    "embed_auto_create_articles",
                    "thread_max_depth",
                ],
            },
        ),
    ]

    @admin.display(description="Public key")
    def public_key_once_saved(self, site: Site) -> str:
        # An unsaved site's key is a form default that saving replaces: showing it would invite
        # copying a key that never exists.
        if site.pk is None:
            return "Shown here once the site is saved."
        return site.public_key

    def get_queryset(self, request: HttpRequest) -> QuerySet[Site]:
        return super().get_queryset(request) & selectors.sites_visible_to(user=request.user)


@admin.register(Article)
class ArticleAdmin(_ExplainProtectedDeleteMixin, SiteScopedAdminMixin, admin.ModelAdmin):
    list_display = ["id", "external_id", "title", "site", "comments_open", "created_at"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter), "comments_open"]
    search_fields = ["title", "url", "external_id"]


class ModerationEventInline(admin.TabularInline):
    model = ModerationEvent
    readonly_fields = (
        "created_at",
        "from_status",
        "to_status",
        "actor",
        "moderator",
        "label",
        "reason",
    )
    fields = readonly_fields
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
        "author",
        "article",
        "status",
        "spam_score",
        "toxicity_score",
        "decision_reason",
        "created_at",
    ]
    # RelatedOnly: the site filter lists only sites the user sees, never other sites' names.
    list_filter = [
        "status",
        ("article__site", admin.RelatedOnlyFieldListFilter),
        FiredRuleFilter,
        CampaignFilter,
        "created_at",
    ]
    search_fields = ["body", "author_name", "author_email"]
    list_select_related = ["article"]
    actions = ["approve_selected", "reject_selected", "send_back_selected"]
    inlines = [ModerationEventInline]
    readonly_fields = [
        "article",
        "decision_label",
        "parent",
        "author",
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
        "rules_fired",
        "campaign",
        "decided_at",
    ]
    # author_name is shown as `author`, inside <bdi>.
    exclude = ["explanation", "status_token_hash", "fired_rules", "author_name"]
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

    def get_queryset(self, request: HttpRequest) -> QuerySet[Comment]:
        return super().get_queryset(request) & selectors.comments_visible_to(user=request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # comments come from readers, through the API

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        # Every field is read-only and decisions are actions: no Save buttons that save nothing.
        return False

    def has_moderate_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_COMMENT)

    @admin.display(description="Author name", ordering="author_name")
    def author(self, comment: Comment) -> str:
        # <bdi>: a name written right to left cannot reorder the text around it.
        return format_html("<bdi>{}</bdi>", comment.author_name)

    @admin.display(description="Comment")
    def short_body(self, comment: Comment) -> str:
        return comment.body if len(comment.body) <= 80 else comment.body[:79] + "…"

    @admin.display(description="What pushed the scores up")
    def why(self, comment: Comment) -> str:
        rows = [
            (model, item["feature"], f"{item['weight']:+.3f}")
            for model, items in scoring.comment_explanation(comment).items()
            for item in items
        ]
        if not rows:
            return "—"
        return format_html(
            "<table><tr><th>model</th><th>feature</th><th>weight</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="Rules that fired")
    def rules_fired(self, comment: Comment) -> str:
        return fired_rules_html(comment)

    @admin.display(description="Campaign")
    def campaign(self, comment: Comment) -> str:
        return campaign_html(comment)

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
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "comment",
        "from_status",
        "to_status",
        "actor",
        "moderator",
        "label",
    ]
    list_filter = ["actor", "to_status", "label"]
    search_fields = ["reason", "comment__body"]
    list_select_related = ["comment", "moderator"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ModerationEvent]:
        return super().get_queryset(request) & selectors.moderation_events_visible_to(
            user=request.user
        )


@admin.register(SiteMembership)
class SiteMembershipAdmin(admin.ModelAdmin):
    """Who is limited to which sites; a user with memberships sees those sites only."""

    list_display = ["user", "site", "created_at"]
    list_filter = ["site"]
    search_fields = ["user__username", "user__email", "site__domain"]
    list_select_related = ["user", "site"]
