"""The admin's site change form as a browser posts it, with the inlines it carries."""

from __future__ import annotations

from typing import Any

from moderation.models import Site


def site_change_form(
    site: Site,
    *,
    thresholds: list[dict[str, str]] | tuple = (),
    origins: list[dict[str, str]] | tuple = (),
    initial_origins: int = 0,
    house_rules: list[dict[str, str]] | tuple = (),
    **fields: Any,
) -> dict[str, Any]:
    """Every field of the site page at its current value, `fields` changed, and the thresholds
    origins and house rules inlines with these new rows (after `initial_origins` rows already
    saved)."""
    data: dict[str, Any] = {
        "name": site.name,
        "domain": site.domain,
        "thread_max_depth": site.thread_max_depth,
        "analyzed_text_retention_days": site.analyzed_text_retention_days,
        **fields,
    }
    for prefix, rows, initial in (
        ("thresholds", thresholds, 0),
        ("origins", origins, initial_origins),
        ("house_rules", house_rules, 0),
    ):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(len(rows)),
            f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{field}": value for field, value in row.items()}
    return data
