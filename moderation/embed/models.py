"""The web origins whose pages may embed a site's comments."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from moderation.embed.origins import normalize_origin


class SiteOrigin(models.Model):
    """A web origin (scheme, host, port) whose pages may embed the site's comments."""

    site = models.ForeignKey("moderation.Site", on_delete=models.CASCADE, related_name="origins")
    origin = models.CharField(
        max_length=300, help_text="e.g. https://news.example.com (no path, no trailing slash)"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "origin"]
        constraints = [
            models.UniqueConstraint(fields=["site", "origin"], name="unique_origin_per_site")
        ]

    def __str__(self) -> str:
        return self.origin

    def clean(self) -> None:

        try:
            self.origin = normalize_origin(self.origin)
        except ValueError as error:
            raise ValidationError({"origin": str(error)}) from None
