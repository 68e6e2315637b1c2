"""Notifications in the admin: per-site settings, webhook endpoints, and the read-only logs."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.admin_scoping import ReadOnlyAdmin, SiteScopedAdminMixin
from moderation.errors import ApplicationError
from moderation.notify import services
from moderation.notify.models import (
    SiteNotificationSettings,
    Subscriber,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookMessage,
)


@admin.register(SiteNotificationSettings)
class SiteNotificationSettingsAdmin(SiteScopedAdminMixin, admin.ModelAdmin):
    list_display = ["site", "held_emails", "digest_every_minutes", "last_digest_at"]
    fields = ["site", "moderator_emails", "held_emails", "digest_every_minutes", "last_digest_at"]
    readonly_fields = ["last_digest_at"]
    list_select_related = ["site"]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEndpoint.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["site", "url", "events", "is_active"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.webhook_events_check(events=cleaned.get("events") or [])
            services.webhook_url_check(url=cleaned["url"])
        except ApplicationError as error:
            for field, problems in error.fields.items():
                self.add_error(field if field in self.fields else None, problems)
        return cleaned


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(SiteScopedAdminMixin, admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ["url", "site", "events", "is_active", "created_at"]
    list_filter = [("site", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["url", "site__domain"]
    list_select_related = ["site"]
    readonly_fields = ["secret", "created_at"]
    actions = ["rotate_secret"]

    def get_fields(self, request: HttpRequest, obj=None):
        fields = ["site", "url", "events", "is_active"]
        return fields if obj is None else [*fields, "secret", "created_at"]

    def save_model(self, request: HttpRequest, obj: WebhookEndpoint, form, change: bool) -> None:
        data = form.cleaned_data
        if change:
            services.webhook_endpoint_update(
                endpoint_id=obj.pk,
                url=data["url"],
                events=data["events"],
                is_active=data["is_active"],
            )
            return
        endpoint = services.webhook_endpoint_create(
            site=data["site"], url=data["url"], events=data["events"]
        )
        if not data["is_active"]:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
        obj.pk = endpoint.pk
        self.message_user(
            request,
            "Deliveries are signed with this endpoint's secret, shown on its page.",
            messages.INFO,
        )

    @admin.action(description="Rotate the signing secret of selected endpoints")
    def rotate_secret(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for endpoint_id in ids:
            services.webhook_endpoint_rotate_secret(endpoint_id=endpoint_id)
        self.message_user(request, f"New secrets for {len(ids)} endpoint(s).", messages.SUCCESS)


# Tuples: Django's stubs type `fields` and `readonly_fields` differently; both accept these.
DELIVERY_FIELDS = ("attempt", "attempted_at", "status_code", "duration_ms", "error", "succeeded")
MESSAGE_FIELDS = (
    "event_id",
    "event",
    "endpoint",
    "created_at",
    "delivered_at",
    "gave_up_at",
    "body",
)


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(WebhookMessage)
class WebhookMessageAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    site_path = "endpoint__site"
    list_display = ["created_at", "event", "endpoint", "attempts", "delivered_at", "gave_up_at"]
    list_filter = [
        "event",
        ("delivered_at", admin.EmptyFieldListFilter),
        ("endpoint__site", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["event_id", "endpoint__url"]
    list_select_related = ["endpoint"]
    fields = MESSAGE_FIELDS
    readonly_fields = MESSAGE_FIELDS
    inlines = [WebhookDeliveryInline]

    def get_queryset(self, request: HttpRequest):
        from django.db.models import Count

        return super().get_queryset(request).annotate(attempt_count=Count("deliveries"))

    @admin.display(description="Attempts", ordering="attempt_count")
    def attempts(self, message: WebhookMessage) -> int:
        return message.attempt_count  # type: ignore[attr-defined]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    site_path = "message__endpoint__site"
    list_display = [
        "attempted_at",
        "message",
        "attempt",
        "status_code",
        "duration_ms",
        "succeeded",
        "error",
    ]
    list_filter = ["succeeded", "message__event"]
    ordering = ["-attempted_at", "-id"]
    search_fields = ["message__event_id", "message__endpoint__url", "error"]
    list_select_related = ["message__endpoint"]


@admin.register(Subscriber)
class SubscriberAdmin(SiteScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["email", "site", "created_at", "confirmed_at", "unsubscribed_at"]
    list_filter = [
        ("site", admin.RelatedOnlyFieldListFilter),
        ("confirmed_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email"]
    list_select_related = ["site"]
