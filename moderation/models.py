"""The core: sites, articles, comments and the append-only log of every moderation decision.

Each capability keeps its own tables in its folder (`notify/models.py`, `authors/models.py`,
`keys/models.py`, `embed/models.py`, `perspective/models.py`); they are imported at the end so
Django finds them, and they point back at these models by string reference only.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, FloatField, IntegerField, Value, When
from django.db.models.functions import Coalesce, Floor, Greatest
from django.utils import timezone

from moderation.append_only import AppendOnlyModel

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
    model_version = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The version of the model scoring this label when these values were set.",
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

    def set_for(self, model_version: str) -> None:
        """Record the model version these values were chosen against."""
        self.model_version = model_version

    def needs_review(self, current_version: str | None) -> bool:
        """Set against another model than the one scoring the label now (scores have moved)."""
        return bool(current_version) and self.model_version != current_version

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


# The permission the admin's comment actions and the moderator API both require.
MODERATE_COMMENT = "moderation.moderate_comment"


class Actor(models.TextChoices):
    """Who changes a comment's status: the automatic policy or a moderator."""

    SYSTEM = "system", "Automatic policy"
    MODERATOR = "moderator", "Moderator"


# The decision label of a comment held because no model could score it (the policy's
# "classifier_unavailable" rule); the sweeper scores such comments again once the models load,
# unless a moderator has acted on them.
CLASSIFIER_UNAVAILABLE_LABEL = "classifier_unavailable"


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
    # What an erased author's name (and, when asked, text) reads in the thread. A moderator's
    # rejection of a comment with replies shows "[removed]" instead (see moderation.embed).
    ERASED = "[deleted]"

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
    fired_rules = models.CharField(
        max_length=300,
        blank=True,
        default="",
        help_text="The house rules that fired on the automatic decision, as ,rule,rule,.",
    )
    # When scoring was last put on the queue: the sweeper re-queues only comments whose message
    # is older than the stale age, so a comment already waiting in the queue is not sent again.
    last_enqueued_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["article", "status", "created_at"]),
            models.Index(fields=["status", "last_enqueued_at"], name="comment_requeue_order"),
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

    def can_move(
        self, to_status: str, *, actor: str, undo: bool = False, rescore: bool = False
    ) -> bool:
        """Whether `actor` may move this comment to `to_status`.

        An undo is the reverse of a move the table allows moderators (approved back to pending,
        say), so a moderator's own decision can always be taken back. A rescore is the system
        deciding a comment it held because no model could score it, as it decides a pending one.
        """
        if rescore:
            return (
                actor == Actor.SYSTEM
                and self.status == Comment.Status.HELD
                and to_status in self.SYSTEM_TRANSITIONS[Comment.Status.PENDING]
            )
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


class ModerationEvent(AppendOnlyModel):
    """One change of a comment's status: who or what made it, from what to what, and why."""

    Actor = Actor
    # A reason can name the author (an email ban's reason, a moderator's note); the decision,
    # its scores and thresholds (`details`) hold no personal data and are never changed.
    ERASABLE_FIELDS = ("reason",)

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

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.comment_id}: {self.from_status} → {self.to_status} by {self.actor}"


# The one edge from the core to the capabilities: Django registers the models these modules define.
from moderation.authors import models as _authors_models  # noqa: E402, F401
from moderation.embed import models as _embed_models  # noqa: E402, F401
from moderation.keys import models as _keys_models  # noqa: E402, F401
from moderation.learning import models as _learning_models  # noqa: E402, F401
from moderation.notify import models as _notify_models  # noqa: E402, F401
from moderation.perspective import models as _perspective_models  # noqa: E402, F401
from moderation.privacy import models as _privacy_models  # noqa: E402, F401
from moderation.rules import models as _rules_models  # noqa: E402, F401
