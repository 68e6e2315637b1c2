"""What the Perspective-compatible API keeps: daily usage, texts sites keep, suggested scores."""

from __future__ import annotations

from django.db import models


class AnalyzeUsage(models.Model):
    """How many requests one key made to the Perspective-compatible API on one day; no text."""

    api_key = models.ForeignKey(
        "moderation.ApiKey", on_delete=models.CASCADE, related_name="analyze_usage"
    )
    day = models.DateField()
    analyze_count = models.PositiveIntegerField(default=0)
    suggest_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "api_key"]
        constraints = [
            models.UniqueConstraint(fields=["api_key", "day"], name="one_usage_row_per_key_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.api_key_id} on {self.day}: {self.analyze_count} analyzed"


class AnalyzedText(models.Model):
    """A text a site chose to keep with its scores, for its retention period."""

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="analyzed_texts"
    )
    api_key = models.ForeignKey(
        "moderation.ApiKey", null=True, on_delete=models.SET_NULL, related_name="analyzed_texts"
    )
    text = models.TextField()
    text_type = models.CharField(max_length=16, default="PLAIN_TEXT")
    scores = models.JSONField(default=dict, help_text="Model label -> probability.")
    model_versions = models.JSONField(default=dict)
    languages = models.JSONField(default=list)
    community_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} for {self.site_id}: {self.text[:60]}"


class ScoreSuggestion(models.Model):
    """A site's own label for a text, sent through comments:suggestscore: training feedback."""

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="score_suggestions"
    )
    api_key = models.ForeignKey(
        "moderation.ApiKey", null=True, on_delete=models.SET_NULL, related_name="score_suggestions"
    )
    text = models.TextField()
    text_type = models.CharField(max_length=16, default="PLAIN_TEXT")
    labels = models.JSONField(
        default=dict, help_text="Model label (toxicity, spam, ...) -> the suggested probability."
    )
    attribute_scores = models.JSONField(default=dict, help_text="The request's attributeScores.")
    languages = models.JSONField(default=list)
    client_token = models.CharField(max_length=200, blank=True)
    community_id = models.CharField(max_length=200, blank=True)
    session_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} for {self.site_id}: {self.labels}"
