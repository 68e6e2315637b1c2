"""Log rows that are written once and never changed or deleted, by instance or in bulk.

The one exception is erasure: `erase_personal_data` may overwrite a model's ERASABLE_FIELDS (free
text that can name an author). On PostgreSQL a trigger holds the same line (migration …_privacy):
DELETE is refused, and so is an UPDATE that changes any other column, except that the moderator
may become NULL when that user account is deleted (ON DELETE SET NULL).
"""

from __future__ import annotations

from typing import Any

from django.db import models

APPEND_ONLY = "Moderation events are append-only; they cannot be changed or deleted."


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes that would rewrite the log are refused, like the instance ones."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(APPEND_ONLY)

    def update(self, **kwargs: Any) -> int:
        raise ValueError(APPEND_ONLY)


class AppendOnlyModel(models.Model):
    """A log row: written once, never changed or deleted (see also AppendOnlyQuerySet)."""

    # Columns that erasing an author's personal data may overwrite; none unless a model says so.
    ERASABLE_FIELDS: tuple[str, ...] = ()

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)


def erase_personal_data(queryset: models.QuerySet, **values: Any) -> int:
    """Overwrite personal data in log rows: only the model's ERASABLE_FIELDS, nothing else."""
    allowed = set(getattr(queryset.model, "ERASABLE_FIELDS", ()))
    if not values or not set(values) <= allowed:
        raise ValueError(f"{APPEND_ONLY} Erasure may only change {sorted(allowed)}.")
    return models.QuerySet.update(queryset, **values)
