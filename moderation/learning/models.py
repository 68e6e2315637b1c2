"""Model versions (promoted, rolled back, shadowed), shadow scores and threshold changes."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ModelVersion(models.Model):
    """A trained candidate, kept in ML_VERSIONS_DIR with the metrics that decided its fate.

    `site` empty: a retrained shared model (for every site without its own); set: that site's
    layer on top of the shared model, scoring that site only.
    """

    class Status(models.TextChoices):
        LIVE = "live", "Live (scores and decides)"
        SHADOW = "shadow", "Shadow trial (scores beside the live model, decides nothing)"
        NOT_PROMOTED = "not_promoted", "Not promoted (no better on held-out labels)"
        RETIRED = "retired", "Retired (replaced by a newer version)"
        ROLLED_BACK = "rolled_back", "Rolled back"

    model = models.CharField(max_length=32, help_text="spam or toxicity")
    site = models.ForeignKey(
        "moderation.Site",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="model_versions",
    )
    folder = models.CharField(max_length=500, help_text="Relative to ML_VERSIONS_DIR.")
    version = models.CharField(max_length=100)
    status = models.CharField(max_length=16, choices=Status.choices, db_index=True)
    metrics = models.JSONField(default=dict, blank=True)
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaced_by",
        help_text="The live version this one replaced; --rollback returns to it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    promoted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("view_dashboard", "Can view the moderation dashboard")]

    def __str__(self) -> str:
        where = self.site.domain if self.site_id else "shared"  # type: ignore[union-attr]
        return f"{self.version} ({where}, {self.status})"


class ShadowScore(models.Model):
    """What a shadow candidate said about a comment, beside what the live model decided."""

    comment = models.ForeignKey(
        "moderation.Comment", on_delete=models.CASCADE, related_name="shadow_scores"
    )
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="scores")
    label = models.CharField(max_length=32)
    live_score = models.FloatField()
    shadow_score = models.FloatField()
    live_status = models.CharField(max_length=16)
    shadow_status = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["comment", "version"], name="one_shadow_score")
        ]

    def __str__(self) -> str:
        return f"comment {self.comment_id}: {self.live_status} / {self.shadow_status}"

    @property
    def differs(self) -> bool:
        return self.live_status != self.shadow_status


class ThresholdChange(models.Model):
    """A site's thresholds set from a target, confirmed by a site manager, with its backtest."""

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="threshold_changes"
    )
    label = models.CharField(max_length=32)
    target = models.JSONField(help_text='e.g. {"reject_precision": 0.98, "max_held": 0.15}')
    source = models.CharField(
        max_length=32, help_text="site labels, or the shipped news validation when too few"
    )
    before = models.JSONField(help_text="publish/reject thresholds before the change")
    after = models.JSONField(help_text="publish/reject thresholds after the change")
    backtest = models.JSONField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="threshold_changes",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.site} {self.label}: {self.after}"


class Dashboard(ModelVersion):
    """The dashboard's entry in the admin index; no rows of its own."""

    class Meta:
        proxy = True
        verbose_name = "Dashboard"
        verbose_name_plural = "Dashboard"
        default_permissions = ()
