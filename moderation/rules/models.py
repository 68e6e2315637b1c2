"""A site's house rules (edited on its admin page) and the comments' text fingerprints."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class SiteRules(models.Model):
    """What each rule of moderation.policy does on one site; a site without a row has defaults."""

    class NewcomerMode(models.TextChoices):
        OFF = "off", "Off: newcomers are treated like everyone"
        ALWAYS = "always", "Hold every newcomer's comment"
        WITH_LINK = "link", "Hold a newcomer's comment when it has a link"

    site = models.OneToOneField(
        "moderation.Site", on_delete=models.CASCADE, related_name="house_rules"
    )
    severe_phrases = models.BooleanField(
        default=True,
        help_text="Hold threats, exposure of where someone lives, dehumanisation and calls to "
        "expel or exterminate for a moderator (never rejects on its own).",
    )
    starter_words = models.BooleanField(
        default=True, help_text="Use the shipped banned and suspect word lists (LDNOOBW subset)."
    )
    banned_words = models.TextField(
        blank=True,
        help_text="Reject comments with these: one word or phrase a line (or comma-separated); "
        "* matches letters inside a word, e.g. casino*.",
    )
    suspect_words = models.TextField(
        blank=True, help_text="Hold comments with these for a moderator (same format)."
    )
    max_links = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=2,
        validators=[MaxValueValidator(100)],
        help_text="Hold a comment with more links than this. Empty: no limit.",
    )
    allowed_domains = models.TextField(
        blank=True, help_text="Links to these domains (and their subdomains) never count."
    )
    blocked_domains = models.TextField(
        blank=True, help_text="Reject a comment linking to these domains (or their subdomains)."
    )
    markup = models.BooleanField(
        default=True,
        help_text="Hold comments that are mostly HTML, or carry <script, onclick= or javascript:.",
    )
    newcomers = models.CharField(
        max_length=8, choices=NewcomerMode.choices, default=NewcomerMode.OFF
    )
    known_after = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="An author (by email) is no newcomer after this many approved comments here.",
    )
    min_length = models.PositiveIntegerField(
        default=0, help_text="Hold comments shorter than this many characters; 0: no minimum."
    )
    max_length = models.PositiveIntegerField(
        default=0, help_text="Hold comments longer than this many characters; 0: no maximum."
    )
    close_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Close comments this many days after publication (widget-created articles: "
        "after the service first saw them). Empty: never.",
    )
    flood_per_minute = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text="At most this many comments a minute from one IP address, and from one email "
        "address (429 above it). Empty: no per-site limit.",
    )
    duplicate_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=60,
        validators=[MinValueValidator(1)],
        help_text="Refuse the same text from the same author again within this many minutes. "
        "Empty: allow duplicates.",
    )
    campaign_authors = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="Hold (as a campaign) the same or nearly the same text once this many authors "
        "sent it. Empty: off.",
    )
    campaign_hours = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
        help_text="How far back a campaign's members are looked for.",
    )
    honeypot = models.BooleanField(
        default=True,
        help_text="Reject, unseen by the sender, comments whose hidden trap field is filled.",
    )
    author_fields = models.BooleanField(
        default=True,
        help_text="Hold comments whose name is a URL or stuffed with sales keywords, or whose "
        "website is on a blocked or link-shortener domain.",
    )

    class Meta:
        verbose_name = "house rules"
        verbose_name_plural = "house rules"

    def __str__(self) -> str:
        return f"House rules of site {self.site_id}"


class CommentFingerprint(models.Model):
    """A MinHash signature of a comment's normalised text: how campaigns are found."""

    comment = models.OneToOneField(
        "moderation.Comment", on_delete=models.CASCADE, related_name="fingerprint"
    )
    site = models.ForeignKey("moderation.Site", on_delete=models.CASCADE, related_name="+")
    author_email = models.EmailField(max_length=254)
    signature = models.JSONField()
    campaign = models.ForeignKey(
        "moderation.Comment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_members",
        help_text="The campaign's first comment, when this text is part of one.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["site", "created_at"], name="fingerprint_site_time")]

    def __str__(self) -> str:
        return f"Fingerprint of comment {self.comment_id}"
