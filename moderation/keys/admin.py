"""Keys in the admin: created through the service, the secret shown once, revoked by action."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest

from moderation.admin_scoping import SiteScopedAdminMixin
from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_create, api_key_revoke


class ApiKeyCreateForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["site", "name", "rate_limit_per_second"]


@admin.register(ApiKey)
class ApiKeyAdmin(SiteScopedAdminMixin, admin.ModelAdmin):
    """Site managers see, create and revoke the keys of their member sites only."""

    list_display = ["name", "site", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [
        ("site", admin.RelatedOnlyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "prefix", "site__domain"]
    list_select_related = ["site"]
    actions = ["revoke_selected"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["site", "name", "rate_limit_per_second"]
        return ["site", "name", "rate_limit_per_second", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ["site", *self.readonly_fields] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: ApiKey, form, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        creator = request.user if isinstance(request.user, User) else None
        api_key, secret = api_key_create(site=obj.site, name=obj.name, created_by=creator)
        if obj.rate_limit_per_second is not None:
            ApiKey.objects.filter(pk=api_key.pk).update(
                rate_limit_per_second=obj.rate_limit_per_second
            )
        obj.pk = api_key.pk
        self.message_user(
            request,
            f"The new key, shown this once (only its hash is stored): {secret}",
            messages.WARNING,
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead, so "last used" and the history stay

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        ids = list(queryset.values_list("id", flat=True))
        for api_key_id in ids:
            api_key_revoke(api_key_id=api_key_id)
        self.message_user(request, f"Revoked {len(ids)} key(s).", messages.SUCCESS)
