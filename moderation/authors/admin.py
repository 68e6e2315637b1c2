"""Trusted authors and bans in the admin: added through the services, withdrawn by action.

Nothing here is edited or deleted in place: untrusting and lifting keep the row, and every
change writes an AuthorAction, so who did what and why stays on record.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from moderation.authors import hashing, services
from moderation.authors.models import AuthorAction, AuthorBan, AuthorTrust
from moderation.authors.selectors import author_standing_visible_to
from moderation.errors import ApplicationError
from moderation.selectors import scoped_site_ids, sites_visible_to


def _moderator(request: HttpRequest) -> User:
    # The admin only lets active staff in, so the user is never anonymous here.
    return cast(User, request.user)


def _add_errors(form: forms.BaseForm, error: ApplicationError, default_field: str) -> None:
    if not error.fields:
        form.add_error(None, error.message)
    for field, field_messages in error.fields.items():
        name = field if field in form.fields else default_field
        for message in field_messages:
            form.add_error(name, message)


class _AuthorStandingAdmin(admin.ModelAdmin):
    """Shared by trusts and bans: scoped lists, add through a service, withdraw by action."""

    manage_permission = ""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request) & author_standing_visible_to(
            user=request.user, model=self.model
        )

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request = request  # type: ignore[attr-defined]
        return form

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "site":
            kwargs["queryset"] = sites_visible_to(user=request.user)
            # A moderator scoped to some sites trusts and bans on those sites only.
            kwargs["required"] = scoped_site_ids(user=request.user) is not None
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # read-only once made; withdrawn by the action below, never edited

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the author log refers to it

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(self.manage_permission)

    def _withdraw(self, request: HttpRequest, queryset: QuerySet, withdraw, verb: str) -> None:
        done, refused = 0, []
        for pk in queryset.values_list("pk", flat=True):
            try:
                withdraw(pk)
                done += 1
            except ApplicationError as error:
                refused.append(f"#{pk}: {error.message}")
        if done:
            self.message_user(request, f"{verb} {done}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request, f"Left {len(refused)} unchanged: " + " ".join(refused), messages.WARNING
            )

    @admin.display(description="where")
    def where(self, obj: AuthorTrust | AuthorBan) -> str:
        return obj.site.domain if obj.site is not None else "every site"


class AuthorTrustForm(forms.ModelForm):
    request: HttpRequest

    class Meta:
        model = AuthorTrust
        fields = ["email", "site", "note"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        try:
            data["email"] = services.author_trust_check(
                email=data["email"], moderator=_moderator(self.request), site=data.get("site")
            )
        except ApplicationError as error:
            _add_errors(self, error, "email")
        return data


@admin.register(AuthorTrust)
class AuthorTrustAdmin(_AuthorStandingAdmin):
    form = AuthorTrustForm
    manage_permission = "moderation.change_authortrust"
    list_display = [
        "email",
        "where",
        "is_active",
        "created_by",
        "created_at",
        "withdrawn_at",
        "note",
    ]
    list_filter = [("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "note"]
    list_select_related = ["site", "created_by"]
    readonly_fields = ["created_by", "created_at", "withdrawn_by", "withdrawn_at"]
    actions = ["untrust_selected"]

    @admin.display(boolean=True, description="trusted")
    def is_active(self, trust: AuthorTrust) -> bool:
        return trust.is_active

    def save_model(self, request: HttpRequest, obj: AuthorTrust, form, change: bool) -> None:
        trust = services.author_trust(
            email=obj.email, site=obj.site, note=obj.note, moderator=_moderator(request)
        )
        obj.pk = trust.pk

    @admin.action(description="Withdraw trust in the selected authors", permissions=["manage"])
    def untrust_selected(self, request: HttpRequest, queryset: QuerySet[AuthorTrust]) -> None:
        def untrust(pk: int) -> None:
            services.author_untrust(trust_id=pk, moderator=_moderator(request))

        self._withdraw(request, queryset, untrust, "Withdrew trust in")


class AuthorBanForm(forms.ModelForm):
    request: HttpRequest

    value = forms.CharField(
        max_length=254,
        help_text=(
            "An email address, an email domain (example.com), an IP address, or for a network "
            "any address in it or the network itself (203.0.113.0/24, 2001:db8:1:2::/64). "
            "Addresses are stored only as keyed hashes."
        ),
    )
    reject_existing = forms.BooleanField(
        required=False,
        label="Also reject their existing comments",
        help_text="Rejects their pending, held and published comments now, each with an event.",
    )

    class Meta:
        model = AuthorBan
        fields = ["kind", "value", "site", "note", "reject_existing"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if self.errors:
            return data
        try:
            services.author_ban_check(
                kind=data["kind"],
                value=data["value"],
                moderator=_moderator(self.request),
                site=data.get("site"),
            )
        except ApplicationError as error:
            _add_errors(self, error, "value")
        return data


@admin.register(AuthorBan)
class AuthorBanAdmin(_AuthorStandingAdmin):
    form = AuthorBanForm
    manage_permission = "moderation.change_authorban"
    list_display = [
        "kind",
        "display",
        "where",
        "is_active",
        "created_by",
        "created_at",
        "withdrawn_at",
        "note",
    ]
    list_filter = ["kind", ("withdrawn_at", admin.EmptyFieldListFilter)]
    search_fields = ["display", "note"]
    search_help_text = "Email, domain or note; an IP address finds the bans that cover it."
    list_select_related = ["site", "created_by"]
    readonly_fields = ["display", "created_by", "created_at", "withdrawn_by", "withdrawn_at"]
    actions = ["lift_selected"]

    def get_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ["kind", "value", "site", "note", "reject_existing"]
        return ["kind", "display", "site", "note", *self.readonly_fields[1:]]

    @admin.display(boolean=True, description="in force")
    def is_active(self, ban: AuthorBan) -> bool:
        return ban.is_active

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            address = hashing.parse_address(search_term)
        except ValueError:
            return results, may_have_duplicates
        # Only hashes are stored: hash what was typed to find the bans on it and its network.
        covering = queryset.filter(
            Q(kind=AuthorBan.Kind.IP, key=hashing.address_hash(address))
            | Q(kind=AuthorBan.Kind.NETWORK, key=hashing.network_hash(hashing.network_of(address)))
        )
        return results | covering, may_have_duplicates

    def save_model(self, request: HttpRequest, obj: AuthorBan, form, change: bool) -> None:
        ban, rejected = services.author_ban(
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
            site=form.cleaned_data.get("site"),
            note=form.cleaned_data.get("note", ""),
            reject_existing=form.cleaned_data.get("reject_existing", False),
            moderator=_moderator(request),
        )
        obj.pk = ban.pk
        obj.display = ban.display
        if form.cleaned_data.get("reject_existing"):
            self.message_user(request, f"Rejected {rejected} existing comment(s).", messages.INFO)

    @admin.action(description="Lift the selected bans", permissions=["manage"])
    def lift_selected(self, request: HttpRequest, queryset: QuerySet[AuthorBan]) -> None:
        def lift(pk: int) -> None:
            services.author_ban_lift(ban_id=pk, moderator=_moderator(request))

        self._withdraw(request, queryset, lift, "Lifted")


@admin.register(AuthorAction)
class AuthorActionAdmin(admin.ModelAdmin):
    """The append-only record of trusts and bans made and withdrawn."""

    list_display = ["created_at", "action", "subject", "moderator", "note"]
    list_filter = ["action"]
    search_fields = ["note", "trust__email", "ban__display"]
    list_select_related = ["trust__site", "ban__site", "moderator"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuthorAction]:
        trusts = author_standing_visible_to(user=request.user, model=AuthorTrust)
        bans = author_standing_visible_to(user=request.user, model=AuthorBan)
        return super().get_queryset(request).filter(Q(trust__in=trusts) | Q(ban__in=bans))

    @admin.display(description="trust or ban")
    def subject(self, action: AuthorAction) -> str:
        return str(action.trust or action.ban)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
