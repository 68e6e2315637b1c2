"""Reads for the links in emails: who a signed token names, refused clearly when it does not."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from moderation.errors import ApplicationError, NotFoundError
from moderation.models import Site
from moderation.notify import tokens
from moderation.notify.models import Subscriber


def _subscriber_from_token(purpose: str, token: str, *, max_age_seconds: int | None) -> Subscriber:
    try:
        subscriber_id = tokens.read(purpose, token, max_age_seconds=max_age_seconds)
    except signing.SignatureExpired:
        raise ApplicationError(
            "This link has expired.",
            fields={"token": ["Expired: post again with notifications ticked to get a new link."]},
        ) from None
    except signing.BadSignature:
        raise NotFoundError(
            "This link is not valid.", fields={"token": ["Unknown or altered link."]}
        ) from None
    subscriber = (
        Subscriber.objects.select_related("site").filter(pk=subscriber_id).first()
        if isinstance(subscriber_id, int)
        else None
    )
    if subscriber is None:
        raise NotFoundError("This link is not valid.", fields={"token": ["No such subscription."]})
    return subscriber


def subscriber_from_confirm_token(*, token: str) -> Subscriber:
    max_age = settings.NOTIFY_CONFIRM_MAX_AGE_DAYS * 24 * 3600
    return _subscriber_from_token(tokens.CONFIRM, token, max_age_seconds=max_age)


def subscriber_from_unsubscribe_token(*, token: str) -> Subscriber:
    return _subscriber_from_token(tokens.UNSUBSCRIBE, token, max_age_seconds=None)


def moderator_from_unsubscribe_token(*, token: str) -> tuple[Site, str]:
    try:
        value = tokens.read(tokens.MODERATOR_UNSUBSCRIBE, token)
    except signing.BadSignature:
        raise NotFoundError(
            "This link is not valid.", fields={"token": ["Unknown or altered link."]}
        ) from None
    site = Site.objects.filter(pk=value["site"]).first() if isinstance(value, dict) else None
    if site is None or not isinstance(value, dict):
        raise NotFoundError("This link is not valid.", fields={"token": ["No such site."]})
    return site, str(value["email"])
