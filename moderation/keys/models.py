"""Sites' secret API keys for server-to-server calls."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class ApiKey(models.Model):
    """A site's secret key for server-to-server calls; only its SHA-256 is stored."""

    SECRET_PREFIX = "sk_"  # noqa: S105 - the marker of a secret key, not a secret
    # "sk_" plus the first characters of the secret: enough to tell keys apart in lists and logs.
    DISPLAY_PREFIX_LENGTH = 11

    site = models.ForeignKey("moderation.Site", on_delete=models.CASCADE, related_name="api_keys")
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
