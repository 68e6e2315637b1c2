"""Who hears about comments: moderators' notices, subscribers' emails and webhooks."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, validate_email
from django.db import models


class SiteNotificationSettings(models.Model):
    """Who at a site hears about held comments, and how often."""

    class HeldEmails(models.TextChoices):
        OFF = "off", "No emails"
        EACH = "each", "One email per held comment"
        DIGEST = "digest", "A digest every N minutes"

    site = models.OneToOneField(
        "moderation.Site", on_delete=models.CASCADE, related_name="notification_settings"
    )
    moderator_emails = models.TextField(
        blank=True, help_text="Addresses told about held comments: one per line or comma-separated."
    )
    held_emails = models.CharField(
        max_length=16, choices=HeldEmails.choices, default=HeldEmails.EACH
    )
    digest_every_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(7 * 24 * 60)],
        help_text="With a digest: at most one email per this many minutes.",
    )
    last_digest_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "site notification settings"
        verbose_name_plural = "site notification settings"

    def __str__(self) -> str:
        return f"Notifications of {self.site.domain}"

    def moderator_addresses(self) -> list[str]:
        raw = self.moderator_emails.replace(",", "\n").replace(";", "\n")
        return [address.strip() for address in raw.splitlines() if address.strip()]

    def clean(self) -> None:

        bad = []
        for address in self.moderator_addresses():
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError({"moderator_emails": f"Not email addresses: {', '.join(bad)}"})


class HeldCommentNotice(models.Model):
    """A held comment its site's moderators are to be told about, alone or in a digest."""

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="held_notices"
    )
    comment = models.ForeignKey(
        "moderation.Comment", on_delete=models.CASCADE, related_name="held_notices"
    )
    source = models.CharField(
        max_length=64, blank=True, help_text="The status change it is for; a repeat is ignored."
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["site", "sent_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~models.Q(source=""), name="one_held_notice_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"Held comment {self.comment_id} ({'sent' if self.sent_at else 'unsent'})"


class Subscriber(models.Model):
    """A commenter's address at one site, for emails about their comments (double opt-in)."""

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site", "email"]
        constraints = [
            models.UniqueConstraint(fields=["site", "email"], name="unique_subscriber_per_site")
        ]

    def __str__(self) -> str:
        return f"{self.email} at {self.site.domain}"

    @property
    def may_be_emailed(self) -> bool:
        """Confirmed and not unsubscribed since."""
        return self.confirmed_at is not None and self.unsubscribed_at is None


class CommentSubscription(models.Model):
    """The author of this comment wants an email when it is published and when it gets replies."""

    comment = models.OneToOneField(
        "moderation.Comment", on_delete=models.CASCADE, related_name="subscription"
    )
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="subscriptions"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.subscriber} on comment {self.comment_id}"


class SubscriberEmail(models.Model):
    """An email sent to a subscriber; unique, so a retried or repeated event never mails twice."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", "Confirm your address"
        PUBLISHED = "published", "Your comment is published"
        REPLY = "reply", "A reply to your comment"

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    comment = models.ForeignKey(
        "moderation.Comment",
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The comment it is about.",
    )
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "kind", "comment"], name="one_email_per_kind_and_comment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.subscriber} about comment {self.comment_id}"


class WebhookEndpoint(models.Model):
    """A site's URL that receives signed JSON for the comment events it chose."""

    class Event(models.TextChoices):
        CREATED = "comment.created", "Comment created"
        APPROVED = "comment.approved", "Comment approved (published)"
        HELD = "comment.held", "Comment held for a moderator"
        REJECTED = "comment.rejected", "Comment rejected"

    SECRET_PREFIX = "whsec_"  # noqa: S105 - the marker of a signing secret, not a secret

    site = models.ForeignKey(
        "moderation.Site", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    events = models.JSONField(default=list, help_text="Event names this endpoint receives.")
    secret = models.CharField(
        max_length=80, editable=False, help_text="Signs each delivery (HMAC-SHA256)."
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "url"]

    def __str__(self) -> str:
        return f"{self.url} ({self.site.domain})"

    @classmethod
    def new_secret(cls) -> str:
        return cls.SECRET_PREFIX + secrets.token_urlsafe(32)


class WebhookMessage(models.Model):
    """One event for one endpoint: the exact body, delivered by one or more attempts."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="messages")
    event_id = models.UUIDField(unique=True, help_text="X-Webhook-Id: the same on every attempt.")
    event = models.CharField(max_length=32, choices=WebhookEndpoint.Event.choices)
    source = models.CharField(
        max_length=64, blank=True, help_text="What happened, e.g. moderation event 12; once each."
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "source"],
                condition=~models.Q(source=""),
                name="one_webhook_message_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.event_id} to {self.endpoint.url}"


class WebhookDelivery(models.Model):
    """One attempt to deliver a webhook message, as the receiver answered it."""

    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    attempt = models.PositiveIntegerField()
    attempted_at = models.DateTimeField(auto_now_add=True)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["message", "attempt"]
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["message", "attempt"], name="one_row_per_attempt")
        ]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40] or "no answer"
        return f"Attempt {self.attempt} of {self.message.event_id}: {outcome}"


class NotificationOutbox(models.Model):
    """A notification task written in the transaction that called for it, until it is queued.

    The row commits with the status change; once the task is on the broker the row is deleted.
    A row that outlives a broker outage (or a process that died before sending) is sent by the
    periodic outbox sweeper; the notify services deduplicate, so a task sent twice tells once.
    """

    task = models.CharField(max_length=100, help_text="The notify task's name, e.g. held_notice.")
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "notification outbox"

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
