"""Rules that read what came before: newcomers and coordinated campaigns (MinHash)."""

from __future__ import annotations

import json
import threading
import zlib
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

import numpy as np
from django.db import connection
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


def similarities(own: list[int], others: np.ndarray | list[list[int]]) -> np.ndarray:
    """The estimated Jaccard similarity of own's text with each of the others' texts."""
    matrix = np.asarray(others, dtype=np.int32).reshape(-1, SIGNATURE_SIZE)
    return (matrix == np.asarray(own, dtype=np.int32)).mean(axis=1)


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


class _Signatures:
    """Each fingerprint's signature, kept by each process as a row of one matrix.

    A signature is written once from its comment's text and never changes: decoding 2,000 of
    them from JSON and converting them to a matrix for every batch cost ten times more than
    comparing them, while gathering the window's rows from here is one numpy call. The key is
    the fingerprint's id and its time as the database's text: the time guards against an id
    used again (SQLite reuses the highest id once its row is deleted, and a rolled-back
    transaction's ids). Only the window's read says which fingerprints exist, so a deleted one
    is never compared again. Bounded: emptied when full.
    """

    def __init__(self) -> None:
        self.rows = np.empty((0, SIGNATURE_SIZE), np.int32)
        self.index: dict[str, int] = {}  # key -> row
        # The window's read sends the signatures of ids above this one (those stored since the
        # last read, as a rule); others missing here (committed late, or after the process
        # emptied this) are read apart.
        self.newest = 0
        # A worker process is one thread; the lock is for a threaded caller all the same.
        self.lock = threading.Lock()

    def gather(self, read: list[tuple[str, str | None]]) -> tuple[list[str], np.ndarray]:
        """The window's keys and signatures (one row each, in the order read) from its read:
        (key, the signature as JSON when sent); a fingerprint deleted meanwhile is left out."""
        with self.lock:
            rows = [self.index.get(key, -1) for key, _ in read]
            if -1 in rows:
                if len(self.index) + rows.count(-1) > SIGNATURES_KEPT:
                    self.index.clear()
                    rows = [-1] * len(read)
                missing = [
                    (key, text) for (key, text), row in zip(read, rows, strict=True) if row < 0
                ]
                found = {key: json.loads(text) for key, text in missing if text is not None}
                found.update(_signatures_read([key for key, text in missing if text is None]))
                self._add(found)
                rows = [self.index.get(key, -1) for key, _ in read]
            keys = [key for key, _ in read]
            if -1 in rows:  # deleted between the two reads
                keys = [key for key, row in zip(keys, rows, strict=True) if row >= 0]
                rows = [row for row in rows if row >= 0]
            return keys, self.rows[rows]

    def _add(self, found: dict[str, list[int]]) -> None:
        first = len(self.index)
        if first + len(found) > len(self.rows):
            size = min(SIGNATURES_KEPT, max(2 * len(self.rows), 4096))
            grown = np.empty((max(size, first + len(found)), SIGNATURE_SIZE), np.int32)
            grown[:first] = self.rows[:first]
            self.rows = grown
        for offset, (key, signature) in enumerate(found.items()):
            self.rows[first + offset] = signature
            self.index[key] = first + offset
            self.newest = max(self.newest, key_id(key))


SIGNATURES_KEPT = 50_000
_SIGNATURES = _Signatures()


# A fingerprint's key in SQL: its id and its time, as the database's text.
_KEY = "CAST(id AS text) || ' ' || CAST(created_at AS text)"


def key_id(key: str) -> int:
    """The fingerprint's id in its key."""
    return int(key.split(" ", 1)[0])


def _window_read(
    rules: SiteRules, *, site_id: int, exclude: list[int]
) -> list[tuple[str, str | None]]:
    """The window's newest fingerprints, newest first, but the excluded comments': (key, the
    signature as JSON when its id is above the newest this process keeps). One raw query: the
    ORM took as long to build it as the database to run it."""
    since = timezone.now() - timedelta(hours=rules.campaign_hours)
    table = connection.ops.quote_name(CommentFingerprint._meta.db_table)
    excluded = f" AND NOT comment_id IN ({', '.join(['%s'] * len(exclude))})" if exclude else ""
    # Only constant names and placeholders go into the text; every value is a parameter.
    sql = (
        f"SELECT {_KEY}, CASE WHEN id > %s THEN CAST(signature AS text) END "  # noqa: S608
        f"FROM {table} WHERE site_id = %s AND created_at >= %s{excluded} "
        "ORDER BY created_at DESC LIMIT %s"
    )
    since_value = connection.ops.adapt_datetimefield_value(since)
    params = [_SIGNATURES.newest, site_id, since_value, *exclude, CANDIDATE_LIMIT]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _signatures_read(keys: list[str]) -> dict[str, list[int]]:
    """The signatures of these fingerprints still stored, by key (an id used again for another
    fingerprint comes under its new key)."""
    if not keys:
        return {}
    table = connection.ops.quote_name(CommentFingerprint._meta.db_table)
    ids = [key_id(key) for key in keys]
    sql = (
        f"SELECT {_KEY}, CAST(signature AS text) FROM {table} "  # noqa: S608
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return {key: json.loads(text) for key, text in cursor.fetchall()}


def _members_read(ids: list[int]) -> list[tuple[int, int, str, int | None]]:
    """(id, comment_id, author_email, campaign_id) of these fingerprints still stored."""
    table = connection.ops.quote_name(CommentFingerprint._meta.db_table)
    sql = (
        f"SELECT id, comment_id, author_email, campaign_id FROM {table} "  # noqa: S608
        f"WHERE id IN ({', '.join(['%s'] * len(ids))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return cursor.fetchall()


@dataclass
class _Print:
    """A fingerprint in a campaign window: stored (pk) or of the batch (pk None until saved)."""

    pk: int | None
    comment_id: int
    author_email: str
    campaign_id: int | None
    signature: list[int] | None = None  # the batch's, to be saved


class CampaignWindow:
    """One site's recent fingerprints, read once for a batch of comments decided in order.

    Each comment is compared with the stored ones and with those of the batch decided before it,
    as if they had been decided one by one; `save` writes the batch's fingerprints together.
    The stored ones are read as ids and signatures (kept by the process); their authors and
    campaigns only once found similar, as they are when found.
    """

    def __init__(self, rules: SiteRules, *, site_id: int, comment_ids: list[int]) -> None:
        self.rules, self.site_id = rules, site_id
        self.comment_ids = comment_ids
        self.matrix: np.ndarray | None = None  # newest first: the batch's, then the stored
        self.stored: list[str] = []  # the stored fingerprints' keys, newest first
        self.mine: list[_Print] = []  # the batch's, newest first
        self.members: dict[int, _Print | None] = {}  # stored ones found similar (None: deleted)
        self.new: dict[int, _Print] = {}  # the batch's, by comment
        self.joined: dict[int, list[int]] = {}  # campaign -> stored fingerprints that joined it
        self._rows = np.empty((0, SIGNATURE_SIZE), np.int32)
        self._top = 0

    def _read(self) -> None:
        """The stored window, at the batch's first comment with a signature."""
        read = _window_read(self.rules, site_id=self.site_id, exclude=self.comment_ids)
        self.stored, stored = _SIGNATURES.gather(read)
        # Room above them for the batch's own, each added on top: a view, not a copy per comment.
        self._top = len(self.comment_ids)
        self._rows = np.empty((self._top + len(self.stored), SIGNATURE_SIZE), np.int32)
        self._rows[self._top :] = stored
        self.matrix = self._rows[self._top :]

    def _similar(self, found: np.ndarray) -> list[_Print]:
        """The fingerprints at these rows of the matrix that still exist."""
        mine = len(self.mine)
        similar = [self.mine[i] for i in found if i < mine]
        pks = [key_id(self.stored[i - mine]) for i in found if i >= mine]
        unknown = [pk for pk in pks if pk not in self.members]
        if unknown:
            self.members.update(dict.fromkeys(unknown))
            self.members.update({row[0]: _Print(*row) for row in _members_read(unknown)})
        return similar + [p for pk in pks if (p := self.members[pk]) is not None]

    def hits(self, comment: Comment) -> list[RuleHit]:
        own = signature(comment.body)
        if own is None:
            return []
        if self.matrix is None:
            self._read()
        assert self.matrix is not None
        similar = self._similar(np.flatnonzero(similarities(own, self.matrix) >= SIMILAR))
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
        mine = _Print(None, comment.pk, comment.author_email, campaign_id, own)
        self.mine.insert(0, mine)
        if self._top == 0:  # more comments than the batch named: more room
            extra = max(16, len(self._rows))
            self._rows = np.vstack([np.empty((extra, SIGNATURE_SIZE), np.int32), self._rows])
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
    admin can show them together. A batch of one: the same window as a batch's.
    """
    window = CampaignWindow(rules, site_id=comment.article.site_id, comment_ids=[comment.pk])
    hits = window.hits(comment)
    window.save({comment.pk})
    return hits
