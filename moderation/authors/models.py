"""Authors' standing: trusted authors, bans and the append-only log of changes to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from moderation.append_only import AppendOnlyModel


class AuthorStanding(models.Model):
    """What trusts and bans share: where they apply, who made them, and their withdrawal."""

    site = models.ForeignKey(
        "moderation.Site",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Empty: on every site.",
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, help_text="When the trust was withdrawn or the ban lifted."
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None

    @property
    def where(self) -> str:
        return self.site.domain if self.site is not None else "every site"


class AuthorTrust(AuthorStanding):
    """A trusted author: their comments are published unless a model is sure they are bad."""

    email = models.EmailField(max_length=254, help_text="Matched without regard to case.")

    class Meta(AuthorStanding.Meta):
        indexes = [models.Index(fields=["email", "withdrawn_at"])]
        verbose_name = "trusted author"

    def __str__(self) -> str:
        return f"{self.email} on {self.where}"


class AuthorBan(AuthorStanding):
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

    class Meta(AuthorStanding.Meta):
        indexes = [models.Index(fields=["kind", "key", "withdrawn_at"])]
        verbose_name = "author ban"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display} on {self.where}"

    @property
    def rejection_reason(self) -> str:
        """E.g. 'Rejected: the author is banned (network ban #3: IPv4 /24 network (hashed)).'

        An email ban is not spelled out: the reason travels in webhooks and into the event log,
        which must never carry a commenter's address.
        """
        where = f" on {self.site.domain}" if self.site is not None else ""
        what = "" if self.kind == self.Kind.EMAIL else f": {self.display}"
        return f"Rejected: the author is banned ({self.kind} ban #{self.pk}{what}{where})."


class AuthorAction(AppendOnlyModel):
    """One change to an author's standing (trust, untrust, ban, lift): who, what, when, why."""

    # A moderator's note can name the author; erasure may overwrite it, nothing else.
    ERASABLE_FIELDS = ("note",)

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

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.trust or self.ban}"
