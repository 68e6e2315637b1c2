"""Sites, articles, comments and the append-only log of every moderation decision."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, FloatField, IntegerField, Value, When
from django.db.models.functions import Coalesce, Floor, Greatest

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

    # Empty thresholds fall back to the ones stored with each model (chosen on validation data).
    spam_publish_below = _probability_field("Publish when the spam score is below this.")
    spam_reject_above = _probability_field("Reject when the spam score reaches this.")
    toxicity_publish_below = _probability_field("Publish when the toxicity score is below this.")
    toxicity_reject_above = _probability_field("Reject when the toxicity score reaches this.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.domain})"

    def threshold_overrides(self) -> dict[str, dict[str, float]]:
        """The thresholds this site sets itself, by model; missing ones use the model's own."""
        overrides: dict[str, dict[str, float]] = {}
        for model in ("spam", "toxicity"):
            for bound, field in (("publish", "publish_below"), ("reject", "reject_above")):
                value = getattr(self, f"{model}_{field}")
                if value is not None:
                    overrides.setdefault(model, {})[bound] = value
        return overrides

    def clean(self) -> None:
        errors = {}
        for model in ("spam", "toxicity"):
            publish = getattr(self, f"{model}_publish_below")
            reject = getattr(self, f"{model}_reject_above")
            if publish is not None and reject is not None and publish > reject:
                errors[f"{model}_reject_above"] = "Must be at least the publish threshold."
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
    comments_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

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
        default_permissions: tuple[str, ...] = ()


APPEND_ONLY = "Moderation events are append-only; they cannot be changed or deleted."


class ModerationEventQuerySet(models.QuerySet):
    """Bulk writes that would rewrite the log are refused, like the instance ones."""

    def delete(self):  # type: ignore[override]
        raise ValueError(APPEND_ONLY)

    def update(self, **kwargs):  # type: ignore[override]
        raise ValueError(APPEND_ONLY)


class ModerationEvent(models.Model):
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

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(APPEND_ONLY)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(APPEND_ONLY)


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
