"""Rules that read what came before: newcomers and coordinated campaigns (MinHash)."""

from __future__ import annotations

import zlib
from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.utils import timezone

from ml.normalize import normalize
from moderation.models import Comment
from moderation.policy.verdict import HOLD, RuleHit
from moderation.rules.models import CommentFingerprint, SiteRules

# MinHash over 5-character shingles of the normalised text: a few characters changed leave most
# shingles, and so most of the signature, as they were.
SHINGLE = 5
SIGNATURE_SIZE = 32
SIMILAR = 0.6  # estimated Jaccard similarity from which two texts count as the same message
MIN_CAMPAIGN_TEXT = 30  # shorter texts ("Great article!") are too common to call a campaign
CANDIDATE_LIMIT = 2000  # the most recent fingerprints of the window a new one is compared with
_PRIME = (1 << 31) - 1


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    generator = np.random.default_rng(18)
    a = generator.integers(1, _PRIME, size=SIGNATURE_SIZE, dtype=np.uint64)
    b = generator.integers(0, _PRIME, size=SIGNATURE_SIZE, dtype=np.uint64)
    return a[:, None], b[:, None]


def signature(text: str) -> list[int] | None:
    """The text's MinHash signature, or None when it is too short to judge."""
    normalized = " ".join(normalize(text).split())
    if len(normalized) < MIN_CAMPAIGN_TEXT:
        return None
    shingles = {normalized[i : i + SHINGLE] for i in range(len(normalized) - SHINGLE + 1)}
    hashes = np.fromiter(
        (zlib.crc32(s.encode()) for s in shingles), dtype=np.uint64, count=len(shingles)
    )
    a, b = _permutations()
    return [int(v) for v in ((a * hashes + b) % _PRIME).min(axis=1)]


def similarities(own: list[int], others: list[list[int]]) -> list[float]:
    """The estimated Jaccard similarity of own's text with each of the others' texts."""
    if not others:
        return []
    matrix = np.asarray(others, dtype=np.int64)
    return [float(v) for v in (matrix == np.asarray(own, dtype=np.int64)).mean(axis=1)]


def newcomer_hits(rules: SiteRules, *, site_id: int, email: str, link_count: int) -> list[RuleHit]:
    """Hold a newcomer's comment (always, or only with a link), as the site chose."""
    if rules.newcomers == SiteRules.NewcomerMode.OFF:
        return []
    if rules.newcomers == SiteRules.NewcomerMode.WITH_LINK and not link_count:
        return []
    approved = Comment.objects.filter(
        article__site_id=site_id, author_email__iexact=email.strip(), status=Comment.Status.APPROVED
    ).count()
    if approved >= rules.known_after:
        return []
    what = "newcomer's comment with a link" if link_count else "newcomer's comment"
    reason = f"{what} ({approved} of {rules.known_after} approved comments needed)"
    return [RuleHit("newcomer", HOLD, reason, {"approved": approved})]


def campaign_hits(rules: SiteRules, *, comment: Comment) -> list[RuleHit]:
    """Record the comment's fingerprint; hold it when enough authors sent nearly the same text.

    The campaign is named by its first comment, and every member found gets that name, so the
    admin can show them together.
    """
    own = signature(comment.body)
    if own is None:
        return []
    site_id = comment.article.site_id
    since = timezone.now() - timedelta(hours=rules.campaign_hours)
    candidates = list(
        CommentFingerprint.objects.filter(site_id=site_id, created_at__gte=since)
        .exclude(comment_id=comment.pk)
        .order_by("-created_at")
        .values_list("pk", "comment_id", "author_email", "signature", "campaign_id")[
            :CANDIDATE_LIMIT
        ]
    )
    scores = similarities(own, [row[3] for row in candidates])
    similar = [row for row, score in zip(candidates, scores, strict=True) if score >= SIMILAR]
    authors = {row[2].lower() for row in similar} | {comment.author_email.lower()}
    campaign_id = None
    if rules.campaign_authors and len(authors) >= rules.campaign_authors:
        existing = [row[4] for row in similar if row[4]]
        campaign_id = min(existing) if existing else min(row[1] for row in similar)
        CommentFingerprint.objects.filter(
            pk__in=[row[0] for row in similar], campaign__isnull=True
        ).update(campaign_id=campaign_id)
    CommentFingerprint.objects.update_or_create(
        comment=comment,
        defaults={
            "site_id": site_id,
            "author_email": comment.author_email,
            "signature": own,
            "campaign_id": campaign_id,
        },
    )
    if campaign_id is None:
        return []
    reason = (
        f"campaign #{campaign_id}: the same or nearly the same text from {len(authors)} "
        f"authors in {rules.campaign_hours} hours"
    )
    detail = {"campaign": campaign_id, "authors": len(authors), "members": len(similar) + 1}
    return [RuleHit("campaign", HOLD, reason, detail)]
