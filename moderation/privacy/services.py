"""Privacy writes: addresses past their retention, and an author's data exported or erased.

Every export and erasure writes a PrivacyRequest (append-only). Erasure keeps threads whole:
comments stay in place, named "[deleted]"; events keep their decisions; email bans keep the
address they must match.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from moderation.append_only import erase_personal_data
from moderation.authors.hashing import email_hash
from moderation.authors.models import AuthorAction
from moderation.errors import ApplicationError, PermissionDeniedError
from moderation.models import Comment, ModerationEvent, Site
from moderation.notify.models import Subscriber, WebhookMessage
from moderation.privacy import selectors
from moderation.privacy.models import PrivacyRequest
from moderation.rules.models import CommentFingerprint
from moderation.selectors import sites_visible_to

ERASED = Comment.ERASED
EXPORT_PERMISSION = "moderation.export_author"
ERASE_PERMISSION = "moderation.erase_author"


def comments_network_data_expire(*, retention_days: int, now: datetime | None = None) -> int:
    """Erase the raw IP address and user agent of comments older than the retention period.

    The address's keyed hashes stay: bans, flood control and the desk's history use those.
    """
    cutoff = (now or timezone.now()) - timedelta(days=retention_days)
    with transaction.atomic():
        return (
            Comment.objects.filter(created_at__lt=cutoff)
            .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
            .update(ip_address=None, user_agent="")
        )


def _check_requester(*, user: Any, site: Site | None, permission: str) -> None:
    """None is the command line; staff need the permission and one of their sites (superusers:
    any site, or every site at once)."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDeniedError("You may not do this.")
    if site is None:
        if not getattr(user, "is_superuser", False):
            raise PermissionDeniedError(
                "Choose one of your sites.", fields={"site": ["Choose one of your sites."]}
            )
        return
    if not sites_visible_to(user=user).filter(pk=site.pk).exists():
        raise PermissionDeniedError(
            "That is not one of your sites.", fields={"site": ["Not one of your sites."]}
        )


def _check_email(email: str) -> str:
    email = selectors.normalise_email(email)
    if "@" not in email:
        raise ApplicationError(
            f"Not an email address: {email!r}.", fields={"email": ["Not an email address."]}
        )
    return email


def author_export(
    *, email: str, site: Site | None = None, requested_by: Any = None
) -> dict[str, Any]:
    """Everything stored about the author (see selectors.author_data), recorded as a request."""
    email = _check_email(email)
    _check_requester(user=requested_by, site=site, permission=EXPORT_PERMISSION)
    with transaction.atomic():
        data = selectors.author_data(email=email, site=site)
        counts = {key: len(value) for key, value in data.items() if isinstance(value, list)}
        record = PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.EXPORT,
            email_hash=email_hash(email),
            site=site,
            requested_by=requested_by,
            counts=counts,
        )
    data["exported_at"] = record.created_at.isoformat()
    return data


def _scrubber(needles: Iterable[str]):
    """Replaces each needle (an address, a name, a website) with [deleted], as a whole word."""
    words = sorted({n.strip() for n in needles if len(n.strip()) >= 2}, key=len, reverse=True)
    if not words:
        return lambda text: text
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
    )
    return lambda text: pattern.sub(ERASED, text)


def _webhook_body_erase(body: str, *, scrub, with_bodies: bool) -> str:
    payload = json.loads(body)
    comment = payload.get("data", {}).get("comment", {})
    comment["author_name"] = ERASED
    comment["author_url"] = ""
    if with_bodies:
        comment["body"] = ERASED
    if comment.get("decision_reason"):
        comment["decision_reason"] = scrub(comment["decision_reason"])
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def author_erase(
    *,
    email: str,
    site: Site | None = None,
    with_bodies: bool = False,
    requested_by: Any = None,
) -> PrivacyRequest:
    """Erase the author's personal data on one site (or all), keeping threads and decisions.

    Their comments are named "[deleted]" and lose email, website, IP address, its hashes and
    user agent (with_bodies: their texts read "[deleted]" too). Their subscriber records,
    subscriptions and their comments' campaign fingerprints go; the copies in webhook messages,
    kept Perspective texts and the log's free text are scrubbed; their trusts are withdrawn and
    forget the address. Email bans keep it.
    """
    email = _check_email(email)
    _check_requester(user=requested_by, site=site, permission=ERASE_PERMISSION)
    counts: dict[str, int] = {}
    with transaction.atomic():
        comments = list(selectors.author_comments(email=email, site=site).select_for_update())
        scrub = _scrubber(
            [email]
            + [c.author_name for c in comments if c.author_name != ERASED]
            + [c.author_url for c in comments]
        )
        trusts = list(selectors.author_trusts(email=email, site=site))
        if site is not None:  # a trust on every site is not this site's to withdraw
            trusts = [t for t in trusts if t.site_id == site.pk]
        bans = list(selectors.author_bans(email=email, site=site, comments=comments))

        messages = selectors.author_webhook_messages(comments=comments)
        for message in messages:
            body = _webhook_body_erase(message.body, scrub=scrub, with_bodies=with_bodies)
            WebhookMessage.objects.filter(pk=message.pk).update(body=body)
        counts["webhook_messages"] = len(messages)

        copies = selectors.author_text_copies(
            email=email,
            site=site,
            bodies=[c.body for c in comments] if with_bodies else [],
            site_ids=[c.article.site_id for c in comments],
        )
        # A copy of an erased text goes; a text that only mentions the address loses it.
        for rows in (copies.suggestions, copies.analyzed):
            for row in rows:
                text = scrub(row.text)
                if with_bodies and row.text in {c.body for c in comments}:
                    row.delete()
                elif text != row.text:
                    type(row).objects.filter(pk=row.pk).update(text=text)
        counts["score_suggestions"] = len(copies.suggestions)
        counts["analyzed_texts"] = len(copies.analyzed)

        events = 0
        for event in selectors.author_events(comments=comments).only("id", "reason"):
            reason = scrub(event.reason)
            if reason != event.reason:
                events += erase_personal_data(
                    ModerationEvent.objects.filter(pk=event.pk), reason=reason
                )
        counts["events_scrubbed"] = events

        actions = 0
        for action in selectors.author_actions(trusts=trusts, bans=bans).only("id", "note"):
            note = scrub(action.note)
            if note != action.note:
                actions += erase_personal_data(AuthorAction.objects.filter(pk=action.pk), note=note)
        counts["author_actions_scrubbed"] = actions

        for trust in trusts:
            if trust.withdrawn_at is None:
                AuthorAction.objects.create(
                    action=AuthorAction.Action.UNTRUST,
                    trust=trust,
                    moderator=requested_by,
                    note="Withdrawn: the author's personal data was erased.",
                )
            type(trust).objects.filter(pk=trust.pk).update(
                email=ERASED,
                note=scrub(trust.note),
                withdrawn_at=trust.withdrawn_at or timezone.now(),
                withdrawn_by=trust.withdrawn_by if trust.withdrawn_at else requested_by,
            )
        counts["trusts"] = len(trusts)

        # Their subscriptions and sent-email records go with the subscriber (CASCADE).
        counts["subscribers"] = (
            Subscriber.objects.filter(
                pk__in=[s.pk for s in selectors.author_subscribers(email=email, site=site)]
            )
            .delete()[1]
            .get("moderation.Subscriber", 0)
        )

        # A fingerprint holds the address and a signature of the text: the campaign rule would
        # keep comparing new comments with an erased author's words.
        counts["fingerprints"] = CommentFingerprint.objects.filter(
            comment_id__in=[c.pk for c in comments]
        ).delete()[0]

        erased: dict[str, Any] = {
            "author_name": ERASED,
            "author_email": "",
            "author_url": "",
            "ip_address": None,
            "ip_hash": "",
            "ip_network_hash": "",
            "user_agent": "",
        }
        if with_bodies:
            # The explanation holds words of the text (the desk's highlights): it goes too.
            erased.update(body=ERASED, explanation={})
        for comment in comments:
            reason = scrub(comment.decision_reason)
            Comment.objects.filter(pk=comment.pk).update(**erased, decision_reason=reason)
        counts["comments"] = len(comments)

        return PrivacyRequest.objects.create(
            kind=PrivacyRequest.Kind.ERASE,
            email_hash=email_hash(email),
            site=site,
            requested_by=requested_by,
            with_bodies=with_bodies,
            counts=counts,
        )
