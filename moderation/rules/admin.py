"""House rules on the site's own admin page, and the comment list's rule and campaign filters."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from moderation.models import Comment
from moderation.policy.verdict import RULE_WORDS
from moderation.rules.models import SiteRules


class SiteRulesInline(admin.StackedInline):
    model = SiteRules
    can_delete = False
    max_num = 1
    verbose_name = "house rules"
    verbose_name_plural = (
        "House rules (beside the models; changes apply to new comments; a site without a row "
        "has these defaults)"
    )
    fieldsets = [
        ("Severe phrases", {"fields": ["severe_phrases"]}),
        ("Words", {"fields": ["starter_words", "banned_words", "suspect_words"]}),
        (
            "Links and markup",
            {"fields": ["max_links", "allowed_domains", "blocked_domains", "markup"]},
        ),
        ("Newcomers", {"fields": ["newcomers", "known_after"]}),
        ("Length and closing", {"fields": ["min_length", "max_length", "close_after_days"]}),
        (
            "Floods, duplicates and campaigns",
            {
                "fields": [
                    "flood_per_minute",
                    "duplicate_minutes",
                    "campaign_authors",
                    "campaign_hours",
                ]
            },
        ),
        ("Bots and spammers' fields", {"fields": ["honeypot", "author_fields"]}),
    ]


class FiredRuleFilter(admin.SimpleListFilter):
    title = "rule that fired"
    parameter_name = "rule"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return list(RULE_WORDS.items())

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        if self.value() in RULE_WORDS:
            return queryset.filter(fired_rules__contains=f",{self.value()},")
        return queryset


class CampaignFilter(admin.SimpleListFilter):
    """The members of one campaign, together, so one action decides them all."""

    title = "campaign"
    parameter_name = "campaign"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        value = self.value()
        return [(value, f"campaign #{value}")] if value and value.isdigit() else []

    def queryset(self, request: HttpRequest, queryset: QuerySet[Comment]) -> QuerySet[Comment]:
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(fingerprint__campaign_id=int(value))
        return queryset


def fired_rules_html(comment: Comment) -> str:
    """The rules that fired, each linking to the list of comments the same rule caught."""
    names = [name for name in comment.fired_rules.split(",") if name]
    if not names:
        return "—"
    url = reverse("admin:moderation_comment_changelist")
    return format_html_join(
        ", ", '<a href="{}?rule={}">{}</a>', ((url, n, RULE_WORDS.get(n, n)) for n in names)
    )


def campaign_html(comment: Comment) -> str:
    """This comment's campaign and a link to all its members, or a dash."""
    fingerprint = getattr(comment, "fingerprint", None)
    if fingerprint is None or fingerprint.campaign_id is None:
        return "—"
    members = type(fingerprint).objects.filter(campaign_id=fingerprint.campaign_id).count()
    url = reverse("admin:moderation_comment_changelist")
    return format_html(
        'campaign #{} — <a href="{}?campaign={}">all {} members</a> '
        "(select them all there and decide them with one action)",
        fingerprint.campaign_id,
        url,
        fingerprint.campaign_id,
        members,
    )
