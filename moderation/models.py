"""Sites, articles, comments and the append-only log of every moderation decision."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, FloatField, IntegerField, Value, When
from django.db.models.functions import Coalesce, Floor, Greatest
from django.utils import timezone

PUBLIC_KEY_PREFIX = "pk_"


def new_public_key() -> str:
    """A site's public widget key: safe in page source, it only names the site."""
    return PUBLIC_KEY_PREFIX + secrets.token_urlsafe(12)


def _probability_field(help_text: str) -> models.FloatField:
    return models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=help_text,
    )


class Site(models.Model):
    """A publisher that embeds the comment service; it owns its moderation policy."""

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. news.example.com")
    public_key = models.CharField(
        max_length=40,
        unique=True,
        default=new_public_key,
        editable=False,
        help_text="Names the site in its embed snippet; public, not a secret.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # What the Perspective-compatible endpoint keeps of the texts this site sends it.
    analyzed_text_retention_days = models.PositiveIntegerField(
        default=0,
        help_text=(
            "Days to keep texts sent to /v1alpha1/comments:analyze with their scores (training "
            "data); 0 keeps nothing but daily counts. Requests with doNotStore are never kept."
        ),
    )

    # The embedded widget.
    embed_auto_create_articles = models.BooleanField(
        default=False,
        help_text=(
            "Create an article the first time the widget loads for an unknown id on one of the "
            "site's allowed origins, taking its title and URL from the page."
        ),
    )
    thread_max_depth = models.PositiveSmallIntegerField(
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="Levels of nested replies; a reply to the last level joins that level.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"

    def threshold_overrides(self) -> dict[str, dict[str, float | None]]:
        """The thresholds this site sets itself, by label; other labels use the models' own."""
        return {
            row.label: {"publish": row.publish_below, "reject": row.reject_above}
            for row in self.thresholds.all()
        }


class SiteThreshold(models.Model):
    """A site's own publish and reject thresholds for one label, replacing the model's."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="thresholds")
    label = models.CharField(max_length=64, help_text="What a model scores, e.g. spam or threat.")
    publish_below = models.FloatField(
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Publish when this label's score is below this (and every other label's is).",
    )
    reject_above = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Reject when the score reaches this. Empty: never reject on this label alone.",
    )

    class Meta:
        ordering = ["site", "label"]
        constraints = [
            models.UniqueConstraint(fields=["site", "label"], name="one_threshold_per_site_label"),
            models.CheckConstraint(
                condition=models.Q(reject_above__isnull=True)
                | models.Q(publish_below__lte=models.F("reject_above")),
                name="publish_at_most_reject",
            ),
        ]

    def __str__(self) -> str:
        reject = "never" if self.reject_above is None else f"{self.reject_above:g}"
        return f"{self.label}: publish below {self.publish_below:g}, reject at {reject}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.label not in settings.MODERATION_LABELS:
            errors["label"] = (
                f"{self.label!r} is not a label the models score; "
                f"use one of {', '.join(settings.MODERATION_LABELS)}."
            )
        if (
            self.reject_above is not None
            and self.publish_below is not None
            and self.publish_below > self.reject_above
        ):
            errors["reject_above"] = "Must be at least the publish threshold."
        if errors:
            raise ValidationError(errors)


class Article(models.Model):
    """A page on a site that readers comment on."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="articles")
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The site's own id for this article, if any."
    )
    title = models.CharField(max_length=500)
    url = models.URLField(max_length=2000)
    published_at = models.DateTimeField(null=True, blank=True)
    comments_open = models.BooleanField(default=True)
    comments_close_at = models.DateTimeField(
        null=True, blank=True, help_text="Comments close by themselves at this time, if set."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "external_id"],
                condition=~models.Q(external_id=""),
                name="unique_external_id_per_site",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def accepts_comments(self, now: datetime | None = None) -> bool:
        if not self.comments_open:
            return False
        return self.comments_close_at is None or (now or timezone.now()) < self.comments_close_at


class SiteOrigin(models.Model):
    """A web origin (scheme, host, port) whose pages may embed the site's comments."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="origins")
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
        from moderation.embed.origins import normalize_origin

        try:
            self.origin = normalize_origin(self.origin)
        except ValueError as error:
            raise ValidationError({"origin": str(error)}) from None


# The permission the admin's comment actions and the moderator API both require.
MODERATE_COMMENT = "moderation.moderate_comment"


class Actor(models.TextChoices):
    """Who changes a comment's status: the automatic policy or a moderator."""

    SYSTEM = "system", "Automatic policy"
    MODERATOR = "moderator", "Moderator"


def comment_harm():
    """The highest of the two models' scores; unscored counts as 0 (the queue's "most harmful")."""
    return Greatest(
        Coalesce(F("spam_score"), Value(0.0), output_field=FloatField()),
        Coalesce(F("toxicity_score"), Value(0.0), output_field=FloatField()),
        output_field=FloatField(),
    )


def comment_harm_tenth():
    """Harm in tenths: the queue's priority band, indexed so the queue never sorts the table."""
    return Floor(comment_harm() * Value(10), output_field=FloatField())


# The queue shows held comments first, then pending, rejected and approved.
QUEUE_STATUS_ORDER = ["held", "pending", "rejected", "approved"]


def comment_queue_rank():
    return Case(
        *[When(status=status, then=Value(rank)) for rank, status in enumerate(QUEUE_STATUS_ORDER)],
        output_field=IntegerField(),
    )


class Comment(models.Model):
    """A reader's comment; its status only moves through the transitions below."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending (not yet scored)"
        APPROVED = "approved", "Approved (published)"
        HELD = "held", "Held for a moderator"
        REJECTED = "rejected", "Rejected"

    # Who may move a comment from which status to which; services' one transition helper checks it.
    SYSTEM_TRANSITIONS = {Status.PENDING: {Status.APPROVED, Status.HELD, Status.REJECTED}}
    MODERATOR_TRANSITIONS = {
        Status.PENDING: {Status.APPROVED, Status.REJECTED},
        Status.HELD: {Status.APPROVED, Status.REJECTED},
        Status.APPROVED: {Status.REJECTED, Status.HELD},
        Status.REJECTED: {Status.APPROVED, Status.HELD},
    }

    BODY_MAX_LENGTH = 5000

    # Deleting an article deletes its comments, unless one was moderated: its events are PROTECTed.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author_name = models.CharField(max_length=100)
    author_email = models.EmailField(max_length=254, help_text="Never published.")
    author_url = models.URLField(max_length=500, blank=True)
    body = models.TextField(max_length=BODY_MAX_LENGTH)
    ip_address = models.GenericIPAddressField(null=True, blank=True, help_text="Never published.")
    # Keyed hashes of the address and of its /24 (IPv4) or /64 (IPv6) network: what IP and network
    # bans match, so they keep working once the plain address is no longer stored.
    ip_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    ip_network_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    user_agent = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    status_token_hash = models.CharField(
        max_length=64, editable=False, help_text="SHA-256 of the submitter's status token."
    )

    spam_score = _probability_field("Probability that the comment is spam.")
    toxicity_score = _probability_field("Probability that the comment is abusive.")
    scores = models.JSONField(default=dict, blank=True, help_text="Every label's probability.")
    model_versions = models.JSONField(default=dict, blank=True)
    explanation = models.JSONField(
        default=dict, blank=True, help_text="What pushed each model's score up, by model."
    )
    decision_reason = models.TextField(blank=True)
    decision_label = models.CharField(
        max_length=32,
        blank=True,
        db_index=True,
        help_text="The label whose score drove the automatic hold or reject, e.g. spam.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            # The moderation queue's order, one status at a time and across statuses, and the
            # author history it shows: each page is an index scan, whatever the table's size.
            models.Index(
                F("status"),
                comment_harm_tenth().desc(),
                F("created_at"),
                F("id"),
                name="comment_queue_order",
            ),
            models.Index(
                comment_queue_rank(),
                comment_harm_tenth().desc(),
                F("created_at"),
                F("id"),
                name="comment_queue_all_order",
            ),
            models.Index(fields=["author_email"], name="comment_author_email"),
            models.Index(fields=["ip_address"], name="comment_ip_address"),
        ]
        permissions = [("moderate_comment", "Can approve, reject and send back comments")]

    def __str__(self) -> str:
        return f"#{self.pk} by {self.author_name}: {self.body[:60]}"

    def can_move(self, to_status: str, *, actor: str, undo: bool = False) -> bool:
        """Whether `actor` may move this comment to `to_status`.

        An undo is the reverse of a move the table allows moderators (approved back to pending,
        say), so a moderator's own decision can always be taken back.
        """
        if undo:
            return actor == Actor.MODERATOR and self.status in self.MODERATOR_TRANSITIONS.get(
                Comment.Status(to_status), set()
            )
        table = self.MODERATOR_TRANSITIONS if actor == Actor.MODERATOR else self.SYSTEM_TRANSITIONS
        return to_status in table.get(Comment.Status(self.status), set())

    @staticmethod
    def hash_status_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def issue_status_token(self) -> str:
        """A new private token that lets the author read this status; only its hash is kept."""
        token = secrets.token_urlsafe(24)
        self.status_token_hash = self.hash_status_token(token)
        return token

    def token_matches(self, token: str) -> bool:
        return hmac.compare_digest(self.status_token_hash, self.hash_status_token(token))


class ModerationQueue(Comment):
    """The moderators' review desk in the admin index; the same rows as Comment."""

    class Meta:
        proxy = True
        verbose_name = "Moderation queue"
        verbose_name_plural = "Moderation queue"
        default_permissions = ()


APPEND_ONLY = "Moderation events are append-only; they cannot be changed or deleted."


class ModerationEventQuerySet(models.QuerySet):
    """Bulk writes that would rewrite the log are refused, like the instance ones."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError(APPEND_ONLY)

    def update(self, **kwargs: Any) -> int:
        raise ValueError(APPEND_ONLY)


class AppendOnlyModel(models.Model):
    """A log row: written once, never changed or deleted (see also ModerationEventQuerySet)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)


class ModerationEvent(AppendOnlyModel):
    """One change of a comment's status: who or what made it, from what to what, and why."""

    Actor = Actor

    # PROTECT: deleting a moderated comment (or its article or site) would erase the log.
    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=16, choices=Comment.Status.choices)
    to_status = models.CharField(max_length=16, choices=Comment.Status.choices)
    actor = models.CharField(max_length=16, choices=Actor.choices)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_events",
    )
    reason = models.TextField()
    label = models.CharField(
        max_length=32,
        blank=True,
        db_index=True,
        help_text='What kind of decision, where one applies, e.g. "spam" or "abuse".',
    )
    details = models.JSONField(default=dict, blank=True)
    undoes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="undone_by",
        help_text="The moderator's decision this event takes back, for an undo.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ModerationEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.from_status} → {self.to_status} by {self.actor}"


class ApiKey(models.Model):
    """A site's secret key for server-to-server calls; only its SHA-256 is stored."""

    SECRET_PREFIX = "sk_"  # noqa: S105 - the marker of a secret key, not a secret
    # "sk_" plus the first characters of the secret: enough to tell keys apart in lists and logs.
    DISPLAY_PREFIX_LENGTH = 11

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100, help_text="What the key is for, e.g. 'CMS sync'.")
    prefix = models.CharField(max_length=16, editable=False, help_text="Start of the key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    rate_limit_per_second = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Requests per second this key may make; empty uses the service's default.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site", "name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…) for {self.site.domain}"

    @classmethod
    def hash_secret(cls, secret: str) -> str:
        # Secrets carry 256 random bits, so a fast hash is safe and allows a unique index lookup.
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def new_secret(cls) -> str:
        return cls.SECRET_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Notifications (moderation/notify/) ----------------------------------------------------------
class SiteNotificationSettings(models.Model):
    """Who at a site hears about held comments, and how often."""

    class HeldEmails(models.TextChoices):
        OFF = "off", "No emails"
        EACH = "each", "One email per held comment"
        DIGEST = "digest", "A digest every N minutes"

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="notification_settings"
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
        from django.core.validators import validate_email

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

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="held_notices")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="held_notices")
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

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="subscribers")
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

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="subscription")
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
        Comment, on_delete=models.CASCADE, related_name="+", help_text="The comment it is about."
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

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="webhook_endpoints")
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


class SiteMembership(models.Model):
    """A staff user's site. A user with memberships sees and acts on those sites only.

    Moderators without any membership are unscoped (every site); site managers hold no
    moderate permission, so they see only the sites they are members of.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="site_memberships"
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "site"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="unique_site_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.site.domain}"


class AuthorTrust(models.Model):
    """A trusted author: their comments are published unless a model is sure they are bad."""

    email = models.EmailField(max_length=254, help_text="Matched without regard to case.")
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="author_trusts",
        help_text="Empty: on every site.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email", "revoked_at"])]
        verbose_name = "trusted author"

    def __str__(self) -> str:
        where = self.site.domain if self.site is not None else "every site"
        return f"{self.email} on {where}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuthorBan(models.Model):
    """A ban on an email, an email domain, an IP address or an IP network (/24 or /64).

    Addresses and networks are kept only as keyed hashes (see moderation.authors.hashing).
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "Email address"
        DOMAIN = "domain", "Email domain"
        IP = "ip", "IP address"
        NETWORK = "network", "IP network (/24 IPv4, /64 IPv6)"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Email or domain in lower case, or the hex keyed hash of the address or network.
    key = models.CharField(max_length=254, editable=False)
    display = models.CharField(
        max_length=254, editable=False, help_text="What is banned, as far as it may be shown."
    )
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="author_bans",
        help_text="Empty: on every site.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "key", "lifted_at"])]
        verbose_name = "author ban"

    def __str__(self) -> str:
        where = self.site.domain if self.site is not None else "every site"
        return f"{self.get_kind_display()} {self.display} on {where}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AuthorActionQuerySet(ModerationEventQuerySet):
    """The author log is append-only like the moderation log: bulk rewrites are refused."""


class AuthorAction(AppendOnlyModel):
    """One change to an author's standing (trust, untrust, ban, lift): who, what, when, why."""

    class Action(models.TextChoices):
        TRUST = "trust", "Trusted"
        UNTRUST = "untrust", "Trust withdrawn"
        BAN = "ban", "Banned"
        LIFT_BAN = "lift_ban", "Ban lifted"

    action = models.CharField(max_length=16, choices=Action.choices)
    # PROTECT: trusts and bans are withdrawn and lifted, never deleted, so the log stays whole.
    trust = models.ForeignKey(
        AuthorTrust, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    ban = models.ForeignKey(
        AuthorBan, null=True, blank=True, on_delete=models.PROTECT, related_name="actions"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_actions",
    )
    note = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuthorActionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.trust or self.ban}"


# --- Perspective-compatible API (moderation/perspective/) -------------------------------------
class AnalyzeUsage(models.Model):
    """How many requests one key made to the Perspective-compatible API on one day; no text."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="analyze_usage")
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

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="analyzed_texts")
    api_key = models.ForeignKey(
        ApiKey, null=True, on_delete=models.SET_NULL, related_name="analyzed_texts"
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

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="score_suggestions")
    api_key = models.ForeignKey(
        ApiKey, null=True, on_delete=models.SET_NULL, related_name="score_suggestions"
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
