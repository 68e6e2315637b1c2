"""Privacy requests in the admin: the record of exports and erasures, and the two forms.

Site managers (and superusers) export an author's data as a JSON download and erase it after
a confirmation page, for the sites they are members of only.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from moderation.admin_scoping import ReadOnlyAdmin
from moderation.errors import ApplicationError
from moderation.models import Site
from moderation.privacy import selectors, services
from moderation.privacy.models import PrivacyRequest
from moderation.selectors import sites_visible_to


class AuthorRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, help_text="The address the author commented with.")
    site: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, empty_label="Every site"
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        site_field: Any = self.fields["site"]
        site_field.queryset = sites_visible_to(user=user)
        # Only superusers may act on every site at once.
        site_field.required = not getattr(user, "is_superuser", False)


class AuthorEraseForm(AuthorRequestForm):
    with_bodies = forms.BooleanField(
        required=False,
        label='Also replace their comments\' texts with "[deleted]"',
        help_text="Replies stay in place either way.",
    )


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "where", "with_bodies", "requested_by", "counts"]
    list_filter = ["kind"]
    list_select_related = ["site", "requested_by"]
    change_list_template = "admin/moderation/privacy/change_list.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[PrivacyRequest]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(site__in=sites_visible_to(user=request.user))

    @admin.display(description="where")
    def where(self, obj: PrivacyRequest) -> str:
        return obj.site.domain if obj.site is not None else "every site"

    def _may(self, request: HttpRequest, permission: str) -> bool:
        return request.user.has_perm(permission)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) or self._may(
            request, services.EXPORT_PERMISSION
        )

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        extra_context = {
            **(extra_context or {}),
            "may_export": self._may(request, services.EXPORT_PERMISSION),
            "may_erase": self._may(request, services.ERASE_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "export/",
                self.admin_site.admin_view(self.export_view),
                name="moderation_privacyrequest_export",
            ),
            path(
                "erase/",
                self.admin_site.admin_view(self.erase_view),
                name="moderation_privacyrequest_erase",
            ),
            *super().get_urls(),
        ]

    def _render(self, request: HttpRequest, template: str, **context: Any) -> TemplateResponse:
        return TemplateResponse(
            request,
            f"admin/moderation/privacy/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta, **context},
        )

    def export_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the form; POST: the JSON download, recorded as a privacy request."""
        if not self._may(request, services.EXPORT_PERMISSION):
            raise PermissionDenied
        form = AuthorRequestForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            site = form.cleaned_data["site"]
            try:
                data = services.author_export(
                    email=form.cleaned_data["email"], site=site, requested_by=request.user
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                response = HttpResponse(
                    json.dumps(data, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                where = site.domain if site is not None else "all-sites"
                response["Content-Disposition"] = (
                    f'attachment; filename="author-export-{where}.json"'
                )
                return response
        return self._render(request, "export.html", title="Export an author's data", form=form)

    def erase_view(self, request: HttpRequest) -> HttpResponse:
        """GET: the form; POST: what would be erased, to confirm; POST with confirm: erase."""
        if not self._may(request, services.ERASE_PERMISSION):
            raise PermissionDenied
        form = AuthorEraseForm(request.POST or None, user=request.user)
        if request.method != "POST" or not form.is_valid():
            return self._render(request, "erase.html", title="Erase an author's data", form=form)
        email, site = form.cleaned_data["email"], form.cleaned_data["site"]
        with_bodies = form.cleaned_data["with_bodies"]
        if request.POST.get("confirm") != "yes":
            comments = selectors.author_comments(email=email, site=site)
            subscribers = selectors.author_subscribers(email=email, site=site)
            return self._render(
                request,
                "erase_confirm.html",
                title="Erase this author's data?",
                form=form,
                email=email,
                site=site,
                with_bodies=with_bodies,
                comment_count=comments.count(),
                subscriber_count=subscribers.count(),
            )
        try:
            record = services.author_erase(
                email=email, site=site, with_bodies=with_bodies, requested_by=request.user
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
            return self._render(request, "erase.html", title="Erase an author's data", form=form)
        self.message_user(
            request,
            f"Erased the author's personal data from {record.counts.get('comments', 0)} comments "
            f"(privacy request #{record.pk}).",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:moderation_privacyrequest_changelist"))
