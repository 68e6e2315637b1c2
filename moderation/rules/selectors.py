"""Reads of the house rules."""

from __future__ import annotations

from moderation.models import Site
from moderation.rules.models import SiteRules


def site_rules(*, site_id: int) -> SiteRules:
    """The site's house rules, or the defaults (unsaved) when it never changed them."""
    return SiteRules.objects.filter(site_id=site_id).first() or SiteRules(site_id=site_id)


def rules_of(site: Site) -> SiteRules:
    """site_rules for a site already read, without a query when it was read with its rules
    (`select_related("site__house_rules")` or `select_related("house_rules")`)."""
    try:
        return site.house_rules
    except SiteRules.DoesNotExist:
        return SiteRules(site=site)
