"""Reads of the house rules."""

from __future__ import annotations

from moderation.rules.models import SiteRules


def site_rules(*, site_id: int) -> SiteRules:
    """The site's house rules, or the defaults (unsaved) when it never changed them."""
    return SiteRules.objects.filter(site_id=site_id).first() or SiteRules(site_id=site_id)
