"""The hard, cheap rules answered at submit time: closed, flood, duplicate and honeypot."""

from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from ml.normalize import normalize
from moderation.errors import ConflictError, DuplicateError, RateLimitedError
from moderation.models import Article, Comment
from moderation.rules.models import SiteRules

FLOOD_WINDOW = 60  # seconds: limits are per minute


def closes_at(article: Article, rules: SiteRules) -> datetime | None:
    """When comments close by the site's N-days rule: N days after publication, or after the
    service first saw the article when it has no publication date (created by the widget)."""
    if not rules.close_after_days:
        return None
    return (article.published_at or article.created_at) + timedelta(days=rules.close_after_days)


def article_open(article: Article, rules: SiteRules, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if not article.accepts_comments(now):
        return False
    closing = closes_at(article, rules)
    return closing is None or now < closing


def check_open(article: Article, rules: SiteRules) -> None:
    if not article_open(article, rules):
        raise ConflictError(
            "Comments are closed on this article.",
            fields={"article_id": ["Comments are closed on this article."]},
        )


def _key(*parts: object) -> str:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"flood:{digest}"


def check_flood(rules: SiteRules, *, site_id: int, ip_address: str | None, email: str) -> None:
    """Count this submission per IP address and per email on the site; 429 above the limit.

    The counters live in the shared cache (Redis in production), one per minute, so every web
    process counts into the same ones.
    """
    limit = rules.flood_per_minute
    if not limit:
        return
    now = time.time()
    window = int(now // FLOOD_WINDOW)
    retry_after = max(1, int(FLOOD_WINDOW - now % FLOOD_WINDOW) + 1)
    over = []
    who = [("ip", ip_address), ("email", email.strip().lower())]
    for kind, value in who:
        if not value:
            continue
        key = _key(site_id, kind, value, window)
        cache.add(key, 0, timeout=FLOOD_WINDOW * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=FLOOD_WINDOW * 2)
            count = 1
        if count > limit:
            over.append(kind)
    if over:
        raise RateLimitedError(
            f"You are commenting too fast: at most {limit} comments a minute. "
            f"Try again in {retry_after} seconds.",
            retry_after=retry_after,
            fields={"body": [f"Too many comments; try again in {retry_after} seconds."]},
        )


def check_duplicate(rules: SiteRules, *, article: Article, email: str, body: str) -> None:
    """Refuse the same text from the same author on the site within the window (a rejected
    comment does not count: its author may send it again once the reason is gone)."""
    if not rules.duplicate_minutes:
        return
    since = timezone.now() - timedelta(minutes=rules.duplicate_minutes)
    recent = (
        Comment.objects.filter(
            article__site_id=article.site_id,
            author_email__iexact=email.strip(),
            created_at__gte=since,
        )
        .exclude(status=Comment.Status.REJECTED)
        .values_list("body", flat=True)[:100]
    )
    text = normalize(body)
    if any(normalize(earlier) == text for earlier in recent):
        raise DuplicateError(
            "You already posted this comment.",
            fields={"body": ["You already posted this comment."]},
        )


def honeypot_filled(rules: SiteRules, value: str) -> bool:
    return rules.honeypot and bool(value.strip())
