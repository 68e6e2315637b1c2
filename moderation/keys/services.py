"""Creating, revoking and checking a site's secret API keys."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from moderation.errors import AuthenticationError, NotFoundError
from moderation.keys.models import ApiKey
from moderation.models import Site

# "Last used" is a hint for people, not an audit: write it at most once a minute per key.
LAST_USED_RESOLUTION = timedelta(seconds=60)


def api_key_create(*, site: Site, name: str, created_by: User | None = None) -> tuple[ApiKey, str]:
    """A new key for the site; the secret is returned once and only its hash is kept."""
    secret = ApiKey.new_secret()
    with transaction.atomic():
        api_key = ApiKey.objects.create(
            site=site,
            name=name.strip() or "API key",
            prefix=secret[: ApiKey.DISPLAY_PREFIX_LENGTH],
            key_hash=ApiKey.hash_secret(secret),
            created_by=created_by,
        )
    return api_key, secret


def api_key_revoke(*, api_key_id: int) -> ApiKey:
    """Revoke a key for good; revoking twice keeps the first time."""
    with transaction.atomic():
        api_key = ApiKey.objects.select_for_update().filter(pk=api_key_id).first()
        if api_key is None:
            raise NotFoundError(
                f"There is no API key {api_key_id}.",
                fields={"api_key": [f"No API key with id {api_key_id}."]},
            )
        if api_key.revoked_at is None:
            api_key.revoked_at = timezone.now()
            api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_authenticate(*, secret: str | None, field: str = "key") -> ApiKey:
    """The active key with this secret, its "last used" refreshed; otherwise a clear 401."""
    if not secret:
        raise AuthenticationError(
            "An API key is required.", fields={field: ["Send a site's secret API key."]}
        )
    # get() on the unique hash: first() would add ApiKey's ordering, a join on every call.
    try:
        api_key = ApiKey.objects.select_related("site").get(key_hash=ApiKey.hash_secret(secret))
    except ApiKey.DoesNotExist:
        api_key = None
    if api_key is None:
        raise AuthenticationError(
            "The API key is not valid.", fields={field: ["No such key; check for typos."]}
        )
    if not api_key.is_active:
        raise AuthenticationError(
            "The API key has been revoked.", fields={field: ["This key was revoked."]}
        )
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key
