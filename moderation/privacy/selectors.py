"""Everything stored about one author, found by their email address (on one site or all)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from moderation.authors.models import AuthorAction, AuthorBan, AuthorTrust
from moderation.authors.selectors import email_domain
from moderation.models import Comment, ModerationEvent, Site
from moderation.notify.models import Subscriber, WebhookMessage
from moderation.perspective.models import AnalyzedText, ScoreSuggestion


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _on_site(queryset: QuerySet, path: str, site: Site | None) -> QuerySet:
    return queryset if site is None else queryset.filter(**{path: site})


def author_comments(*, email: str, site: Site | None) -> QuerySet[Comment]:
    comments = Comment.objects.filter(author_email__iexact=normalise_email(email))
    return _on_site(comments, "article__site", site).select_related("article__site")


def author_subscribers(*, email: str, site: Site | None) -> QuerySet[Subscriber]:
    subscribers = Subscriber.objects.filter(email__iexact=normalise_email(email))
    return _on_site(subscribers, "site", site).select_related("site")


def author_trusts(*, email: str, site: Site | None) -> QuerySet[AuthorTrust]:
    """Trusts of the address: on the site, and those on every site (they apply there too)."""
    trusts = AuthorTrust.objects.filter(email__iexact=normalise_email(email))
    if site is not None:
        trusts = trusts.filter(Q(site=site) | Q(site__isnull=True))
    return trusts.select_related("site")


def author_bans(
    *, email: str, site: Site | None, comments: Iterable[Comment]
) -> QuerySet[AuthorBan]:
    """Bans of the address, its domain, or the addresses and networks their comments came from."""
    email = normalise_email(email)
    comments = list(comments)
    ip_hashes = {c.ip_hash for c in comments if c.ip_hash}
    network_hashes = {c.ip_network_hash for c in comments if c.ip_network_hash}
    bans = AuthorBan.objects.filter(
        Q(kind=AuthorBan.Kind.EMAIL, key=email)
        | Q(kind=AuthorBan.Kind.DOMAIN, key=email_domain(email))
        | Q(kind=AuthorBan.Kind.IP, key__in=ip_hashes)
        | Q(kind=AuthorBan.Kind.NETWORK, key__in=network_hashes)
    )
    if site is not None:
        bans = bans.filter(Q(site=site) | Q(site__isnull=True))
    return bans.select_related("site")


def author_events(*, comments: Iterable[Comment]) -> QuerySet[ModerationEvent]:
    return ModerationEvent.objects.filter(comment__in=[c.pk for c in comments]).order_by(
        "created_at", "id"
    )


def author_actions(*, trusts: Iterable[AuthorTrust], bans: Iterable[AuthorBan]):
    return AuthorAction.objects.filter(
        Q(trust__in=[t.pk for t in trusts]) | Q(ban__in=[b.pk for b in bans])
    ).order_by("created_at", "id")


def author_webhook_messages(*, comments: Iterable[Comment]) -> list[WebhookMessage]:
    """Messages whose body carries one of these comments (the body is compact JSON)."""
    by_site: dict[int, list[int]] = {}
    for comment in comments:
        by_site.setdefault(comment.article.site_id, []).append(comment.pk)
    found: list[WebhookMessage] = []
    for site_id, ids in by_site.items():
        for start in range(0, len(ids), 200):
            carries = Q()
            for pk in ids[start : start + 200]:
                carries |= Q(body__contains=f'"comment":{{"id":{pk},')
            found.extend(
                WebhookMessage.objects.filter(carries, endpoint__site_id=site_id).order_by("id")
            )
    return found


@dataclass(frozen=True)
class TextCopies:
    """Texts sites sent the Perspective-compatible API that copy the author's words or address."""

    suggestions: list[ScoreSuggestion]
    analyzed: list[AnalyzedText]


def author_text_copies(
    *, email: str, site: Site | None, bodies: Iterable[str], site_ids: Iterable[int]
) -> TextCopies:
    """Kept texts equal to one of their comments' bodies, or holding their address."""
    email = normalise_email(email)
    bodies = {b for b in bodies if b and b != Comment.ERASED}
    match = Q(text__icontains=email) | Q(text__in=bodies) if bodies else Q(text__icontains=email)
    sites = [site.pk] if site is not None else sorted(set(site_ids))
    return TextCopies(
        suggestions=list(ScoreSuggestion.objects.filter(match, site_id__in=sites)),
        analyzed=list(AnalyzedText.objects.filter(match, site_id__in=sites)),
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _domain(site: Site | None) -> str | None:
    return site.domain if site is not None else None


def author_data(*, email: str, site: Site | None) -> dict[str, Any]:
    """Everything stored about the author, as JSON-ready data (the body of author_export)."""
    comments = list(author_comments(email=email, site=site).order_by("created_at", "id"))
    trusts = list(author_trusts(email=email, site=site))
    bans = list(author_bans(email=email, site=site, comments=comments))
    subscribers = list(
        author_subscribers(email=email, site=site).prefetch_related("subscriptions", "emails")
    )
    copies = author_text_copies(
        email=email,
        site=site,
        bodies=[c.body for c in comments],
        site_ids=[c.article.site_id for c in comments],
    )
    return {
        "email": normalise_email(email),
        "site": _domain(site),
        "comments": [
            {
                "id": c.pk,
                "site": c.article.site.domain,
                "article": {
                    "id": c.article_id,
                    "external_id": c.article.external_id,
                    "title": c.article.title,
                    "url": c.article.url,
                },
                "parent": c.parent_id,
                "status": c.status,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "body": c.body,
                "ip_address": c.ip_address,
                "ip_hash": c.ip_hash,
                "ip_network_hash": c.ip_network_hash,
                "user_agent": c.user_agent,
                "created_at": _iso(c.created_at),
                "scores": c.scores,
                "decision_reason": c.decision_reason,
                "decided_at": _iso(c.decided_at),
            }
            for c in comments
        ],
        "subscriptions": [
            {
                "site": s.site.domain,
                "email": s.email,
                "created_at": _iso(s.created_at),
                "confirmation_sent_at": _iso(s.confirmation_sent_at),
                "confirmed_at": _iso(s.confirmed_at),
                "unsubscribed_at": _iso(s.unsubscribed_at),
                "comments": sorted(sub.comment_id for sub in s.subscriptions.all()),
                "emails_sent": [
                    {"kind": e.kind, "comment": e.comment_id, "sent_at": _iso(e.sent_at)}
                    for e in s.emails.all()
                ],
            }
            for s in subscribers
        ],
        "trusts": [
            {
                "id": t.pk,
                "email": t.email,
                "site": _domain(t.site),
                "note": t.note,
                "created_at": _iso(t.created_at),
                "withdrawn_at": _iso(t.withdrawn_at),
            }
            for t in trusts
        ],
        "bans": [
            {
                "id": b.pk,
                "kind": b.kind,
                "what": b.display,
                "site": _domain(b.site),
                "note": b.note,
                "created_at": _iso(b.created_at),
                "lifted_at": _iso(b.withdrawn_at),
            }
            for b in bans
        ],
        "events": [
            {
                "comment": e.comment_id,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "actor": e.actor,
                "label": e.label,
                "reason": e.reason,
                "created_at": _iso(e.created_at),
            }
            for e in author_events(comments=comments)
        ],
        "author_actions": [
            {
                "action": a.action,
                "trust": a.trust_id,
                "ban": a.ban_id,
                "note": a.note,
                "created_at": _iso(a.created_at),
            }
            for a in author_actions(trusts=trusts, bans=bans)
        ],
        "webhook_messages": [
            {
                "event_id": str(m.event_id),
                "event": m.event,
                "created_at": _iso(m.created_at),
                "delivered_at": _iso(m.delivered_at),
            }
            for m in author_webhook_messages(comments=comments)
        ],
        "score_suggestions": [
            {"id": s.pk, "text": s.text, "labels": s.labels, "created_at": _iso(s.created_at)}
            for s in copies.suggestions
        ],
        "analyzed_texts": [
            {"id": t.pk, "text": t.text, "scores": t.scores, "created_at": _iso(t.created_at)}
            for t in copies.analyzed
        ],
    }
