"""Reads for the links in emails: who a signed token names, refused clearly when it does not."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import NamedTuple

from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

from moderation.errors import ApplicationError, NotFoundError
from moderation.models import Site
from moderation.notify import tokens
from moderation.notify.models import (
    CommentSubscription,
    SiteNotificationSettings,
    Subscriber,
    WebhookEndpoint,
)


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


def site_has_active_webhook(article_table: str) -> RawSQL:
    """For a query of articles (named article_table in its SQL): whether the article's site has
    an active webhook endpoint.

    Written out rather than as `Exists(WebhookEndpoint.objects.filter(...))`: compiling that
    subquery cost about 0.4 ms of CPU (measured in process) on every comment submission.
    """
    endpoints = WebhookEndpoint._meta
    table = connection.ops.quote_name(endpoints.db_table)
    site = connection.ops.quote_name(endpoints.get_field("site").column)
    active = connection.ops.quote_name(endpoints.get_field("is_active").column)
    outer = f"{connection.ops.quote_name(article_table)}.{site}"
    # Identifiers from the models' meta, quoted; the one value is a parameter.
    return RawSQL(  # noqa: S611
        f"EXISTS (SELECT 1 FROM {table} W WHERE W.{site} = {outer} AND W.{active} = %s)",  # noqa: S608
        (True,),
        output_field=BooleanField(),
    )


def site_hears_created(*, site_id: int) -> bool:
    """Whether an active endpoint of the site receives comment.created."""
    return any(
        WebhookEndpoint.Event.CREATED in events
        for events in WebhookEndpoint.objects.filter(site_id=site_id, is_active=True).values_list(
            "events", flat=True
        )
    )


class Listeners(NamedTuple):
    """Who may hear of a batch's changes (see `listeners`)."""

    webhook_events: dict[int, set[str]]  # site id -> the events its active endpoints receive
    held_sites: set[int]  # sites whose moderators are told of held comments
    subscribed: set[int]  # comments whose authors asked for emails


def listeners(
    *, site_ids: Collection[int], held_site_ids: Collection[int], comment_ids: Collection[int]
) -> Listeners:
    """Active webhook endpoints of these sites, held-comment emails of those (on, with a
    moderator), and subscriptions of these comments, in one query.

    Written out as one UNION ALL: three querysets cost 3.1-3.7 ms of CPU, this 0.3 ms (measured
    in process on PostgreSQL), and every scoring batch runs it.
    """
    quote = connection.ops.quote_name
    endpoint, config, subscription = (
        WebhookEndpoint._meta,
        SiteNotificationSettings._meta,
        CommentSubscription._meta,
    )

    def column(meta, name: str) -> str:
        return quote(meta.get_field(name).column)

    def among(values: Collection[int]) -> str:
        return ", ".join(["%s"] * len(values))

    # Identifiers from the models' meta, quoted; every value is a parameter.
    parts: list[str] = []
    params: list[bool | int | str] = []
    if site_ids:
        parts.append(
            f"SELECT 'w', {column(endpoint, 'site')}, CAST({column(endpoint, 'events')} AS TEXT) "  # noqa: S608
            f"FROM {quote(endpoint.db_table)} WHERE {column(endpoint, 'is_active')} = %s "
            f"AND {column(endpoint, 'site')} IN ({among(site_ids)})"
        )
        params += [True, *site_ids]
    if held_site_ids:
        parts.append(
            f"SELECT 'h', {column(config, 'site')}, {column(config, 'moderator_emails')} "  # noqa: S608
            f"FROM {quote(config.db_table)} WHERE {column(config, 'held_emails')} <> %s "
            f"AND {column(config, 'site')} IN ({among(held_site_ids)})"
        )
        params += [SiteNotificationSettings.HeldEmails.OFF.value, *held_site_ids]
    if comment_ids:
        parts.append(
            f"SELECT 's', {column(subscription, 'comment')}, NULL "  # noqa: S608
            f"FROM {quote(subscription.db_table)} "
            f"WHERE {column(subscription, 'comment')} IN ({among(comment_ids)})"
        )
        params += list(comment_ids)
    found = Listeners({}, set(), set())
    if not parts:
        return found
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        for kind, pk, text in cursor.fetchall():
            if kind == "w":
                found.webhook_events.setdefault(pk, set()).update(json.loads(text))
            elif kind == "h":
                if SiteNotificationSettings(moderator_emails=text).moderator_addresses():
                    found.held_sites.add(pk)
            else:
                found.subscribed.add(pk)
    return found
