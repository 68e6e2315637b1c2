"""Rules that read what came before: newcomers and coordinated campaigns (MinHash)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.db.models import TextField
from django.db.models.functions import Cast
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


def newcomer_hits(
    rules: SiteRules, *, site_id: int, email: str, link_count: int, approved: int | None = None
) -> list[RuleHit]:
    """Hold a newcomer's comment (always, or only with a link), as the site chose.

    `approved` is the author's count of approved comments on the site when the caller read it
    already (a batch reads them all in one query); otherwise it is counted here.
    """
    if rules.newcomers == SiteRules.NewcomerMode.OFF:
        return []
    if rules.newcomers == SiteRules.NewcomerMode.WITH_LINK and not link_count:
        return []
    if approved is None:
        approved = Comment.objects.filter(
            article__site_id=site_id,
            author_email__iexact=email.strip(),
            status=Comment.Status.APPROVED,
        ).count()
    if approved >= rules.known_after:
        return []
    what = "newcomer's comment with a link" if link_count else "newcomer's comment"
    reason = f"{what} ({approved} of {rules.known_after} approved comments needed)"
    return [RuleHit("newcomer", HOLD, reason, {"approved": approved})]


# (fingerprint id, its time) -> its signature, kept by each process: a signature is written
# once from its comment's text and never changes, and decoding 2,000 of them from JSON for every
# decision cost more than comparing them. The time guards against an id used again (SQLite
# reuses the highest id once its row is deleted). Bounded: emptied when full.
_SIGNATURES: dict[tuple[int, str], list[int]] = {}
SIGNATURES_KEPT = 50_000


# The key's time as the database's text: the same time reads as the same text, and parsing
# 2,000 timestamps a batch cost about twice reading them as text.
_STAMP = Cast("created_at", TextField())


def _recent_fingerprints(
    rules: SiteRules, *, site_id: int, exclude: list[int]
) -> list[tuple[int | None, int, str, list[int], int | None]]:
    """(pk, comment_id, author_email, signature, campaign_id) of the window's newest ones."""
    since = timezone.now() - timedelta(hours=rules.campaign_hours)
    rows = list(
        CommentFingerprint.objects.filter(site_id=site_id, created_at__gte=since)
        .annotate(stamp=_STAMP)
        .exclude(comment_id__in=exclude)
        .order_by("-created_at")
        .values_list("pk", "stamp", "comment_id", "author_email", "campaign_id")[:CANDIDATE_LIMIT]
    )
    known = {row[:2]: _SIGNATURES[row[:2]] for row in rows if row[:2] in _SIGNATURES}
    missing = [row[0] for row in rows if row[:2] not in known]
    if missing:
        read = {
            (pk, stamp): signature
            for pk, stamp, signature in CommentFingerprint.objects.filter(pk__in=missing)
            .annotate(stamp=_STAMP)
            .values_list("pk", "stamp", "signature")
        }
        if len(_SIGNATURES) + len(read) > SIGNATURES_KEPT:
            _SIGNATURES.clear()
        _SIGNATURES.update(read)
        known.update(read)
    return [
        (pk, comment_id, email, known[(pk, stamp)], campaign_id)
        for pk, stamp, comment_id, email, campaign_id in rows
        if (pk, stamp) in known  # deleted with its comment between the two reads
    ]


@dataclass
class _Print:
    """A fingerprint in a campaign window: stored (pk) or of the batch (pk None until saved)."""

    pk: int | None
    comment_id: int
    author_email: str
    signature: list[int]
    campaign_id: int | None


class CampaignWindow:
    """One site's recent fingerprints, read once for a batch of comments decided in order.

    Each comment is compared with the stored ones and with those of the batch decided before it,
    as if they had been decided one by one; `save` writes the batch's fingerprints together.
    """

    def __init__(self, rules: SiteRules, *, site_id: int, comment_ids: list[int]) -> None:
        self.rules, self.site_id = rules, site_id
        self.prints = [
            _Print(*row)
            for row in _recent_fingerprints(rules, site_id=site_id, exclude=comment_ids)
        ]
        # The signatures as one matrix, newest first: converting 2,000 lists for every comment
        # cost more than the comparison itself.
        stored = np.asarray([p.signature for p in self.prints], dtype=np.int64).reshape(
            len(self.prints), SIGNATURE_SIZE
        )
        # Room above them for the batch's own, each added on top: a view, not a copy per comment.
        self._rows = np.empty((len(comment_ids) + len(self.prints), SIGNATURE_SIZE), np.int64)
        self._top = len(comment_ids)
        self._rows[self._top :] = stored
        self.matrix = self._rows[self._top :]
        self.new: dict[int, _Print] = {}  # the batch's, by comment
        self.joined: dict[int, list[int]] = {}  # campaign -> stored fingerprints that joined it

    def hits(self, comment: Comment) -> list[RuleHit]:
        own = signature(comment.body)
        if own is None:
            return []
        scores = (self.matrix == np.asarray(own, dtype=np.int64)).mean(axis=1)
        similar = [self.prints[index] for index in np.flatnonzero(scores >= SIMILAR)]
        authors = {p.author_email.lower() for p in similar} | {comment.author_email.lower()}
        campaign_id = None
        if self.rules.campaign_authors and len(authors) >= self.rules.campaign_authors:
            existing = [p.campaign_id for p in similar if p.campaign_id]
            campaign_id = min(existing) if existing else min(p.comment_id for p in similar)
            for member in similar:
                if member.campaign_id is None:
                    member.campaign_id = campaign_id
                    if member.pk is not None:
                        self.joined.setdefault(campaign_id, []).append(member.pk)
        mine = _Print(None, comment.pk, comment.author_email, own, campaign_id)
        self.prints = [mine, *self.prints][:CANDIDATE_LIMIT]
        if self._top == 0:  # more comments than the batch named: more room
            extra = max(16, len(self._rows))
            self._rows = np.vstack([np.empty((extra, SIGNATURE_SIZE), np.int64), self._rows])
            self._top = extra
        self._top -= 1
        self._rows[self._top] = own
        self.matrix = self._rows[self._top : self._top + CANDIDATE_LIMIT]
        self.new[comment.pk] = mine
        return _campaign_hit(self.rules, campaign_id, len(authors), len(similar))

    def save(self, decided: set[int]) -> None:
        """Write the fingerprints of the comments decided, and the stored ones' campaigns."""
        for campaign_id, pks in self.joined.items():
            CommentFingerprint.objects.filter(pk__in=pks, campaign__isnull=True).update(
                campaign_id=campaign_id
            )
        CommentFingerprint.objects.bulk_create(
            [
                CommentFingerprint(
                    comment_id=comment_id,
                    site_id=self.site_id,
                    author_email=mine.author_email,
                    signature=mine.signature,
                    campaign_id=mine.campaign_id,
                )
                for comment_id, mine in self.new.items()
                if comment_id in decided
            ],
            update_conflicts=True,
            unique_fields=["comment"],
            update_fields=["site", "author_email", "signature", "campaign"],
        )


def _campaign_hit(
    rules: SiteRules, campaign_id: int | None, authors: int, similar: int
) -> list[RuleHit]:
    if campaign_id is None:
        return []
    reason = (
        f"campaign #{campaign_id}: the same or nearly the same text from {authors} "
        f"authors in {rules.campaign_hours} hours"
    )
    detail = {"campaign": campaign_id, "authors": authors, "members": similar + 1}
    return [RuleHit("campaign", HOLD, reason, detail)]


def campaign_hits(rules: SiteRules, *, comment: Comment) -> list[RuleHit]:
    """Record the comment's fingerprint; hold it when enough authors sent nearly the same text.

    The campaign is named by its first comment, and every member found gets that name, so the
    admin can show them together.
    """
    own = signature(comment.body)
    if own is None:
        return []
    site_id = comment.article.site_id
    candidates = _recent_fingerprints(rules, site_id=site_id, exclude=[comment.pk])
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
    return _campaign_hit(rules, campaign_id, len(authors), len(similar))
