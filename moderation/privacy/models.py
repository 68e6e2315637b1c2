"""The append-only record of every export and erasure of an author's data."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from moderation.append_only import AppendOnlyModel


class PrivacyRequest(AppendOnlyModel):
    """One author_export or author_erase: who ran it, for which site, and what it touched.

    The author is named only by a keyed hash of their address (the address itself may be
    what was erased): the same address gives the same hash, so a later request can be matched.
    """

    class Kind(models.TextChoices):
        EXPORT = "export", "Export"
        ERASE = "erase", "Erase"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    email_hash = models.CharField(max_length=64, editable=False, db_index=True)
    # PROTECT: a site with privacy records is closed, not deleted (as with moderated comments).
    site = models.ForeignKey(
        "moderation.Site",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: every site.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty: run from the command line.",
    )
    with_bodies = models.BooleanField(default=False)
    counts = models.JSONField(default=dict, blank=True, help_text="What was exported or erased.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("export_author", "Can export everything stored about an author"),
            ("erase_author", "Can erase an author's personal data"),
        ]

    def __str__(self) -> str:
        where = self.site.domain if self.site is not None else "every site"
        return f"{self.get_kind_display()} on {where} at {self.created_at:%Y-%m-%d %H:%M}"
