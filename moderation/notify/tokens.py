"""Signed tokens for the links in emails: they name a subscriber (or a moderator address)."""

from __future__ import annotations

from django.core import signing

CONFIRM = "moderation.notify.confirm"
UNSUBSCRIBE = "moderation.notify.unsubscribe"
MODERATOR_UNSUBSCRIBE = "moderation.notify.moderator-unsubscribe"


def make(purpose: str, value: object) -> str:
    return signing.dumps(value, salt=purpose, compress=True)


def read(purpose: str, token: str, *, max_age_seconds: int | None = None) -> object:
    """The value signed for this purpose; raises signing.BadSignature (or SignatureExpired)."""
    return signing.loads(token, salt=purpose, max_age=max_age_seconds)
