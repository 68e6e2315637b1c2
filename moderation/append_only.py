"""Log rows that are written once and never changed or deleted, by instance or in bulk."""

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

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)
