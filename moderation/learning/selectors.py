"""Reads for the dashboard: a site's comments, queue, scores and decisions over a period."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from moderation.learning.models import ShadowScore
from moderation.models import Actor, Comment, ModerationEvent, Site
from moderation.selectors import sites_visible_to

OUTCOMES = ("approved", "held", "rejected", "pending")
SCORE_BINS = 20


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        first = timezone.localdate(self.start)
        last = timezone.localdate(self.end)
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def period_of(days: int, now: datetime | None = None) -> Period:
    end = now or timezone.now()
    start = timezone.localtime(end - timedelta(days=days - 1)).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return Period(start, end)


def dashboard_sites(*, user) -> QuerySet[Site]:
    return sites_visible_to(user=user).order_by("name")


def comments_per_day(*, site: Site, period: Period) -> dict[date, Counter[str]]:
    """Comments created each day, by their status now."""
    rows = (
        Comment.objects.filter(article__site=site, created_at__range=(period.start, period.end))
        .annotate(day=TruncDate("created_at"))
        .values("day", "status")
        .annotate(n=Count("id"))
    )
    out: dict[date, Counter[str]] = {d: Counter() for d in period.days}
    for row in rows:
        out.setdefault(row["day"], Counter())[row["status"]] += row["n"]
    return out


def _events(site: Site, period: Period) -> QuerySet[ModerationEvent]:
    return ModerationEvent.objects.filter(
        comment__article__site=site, created_at__lte=period.end
    ).order_by("created_at", "id")


def queue_per_day(*, site: Site, period: Period) -> tuple[dict[date, int], dict[date, float]]:
    """Comments waiting in the queue at the end of each day, and the median wait in hours of
    the held comments moderators decided that day."""
    held_since: dict[int, datetime] = {}
    intervals: list[tuple[datetime, datetime | None]] = []
    waits: dict[date, list[float]] = defaultdict(list)
    for event in _events(site, period).only("comment_id", "to_status", "actor", "created_at"):
        if event.to_status == Comment.Status.HELD:
            held_since.setdefault(event.comment_id, event.created_at)
        elif event.comment_id in held_since:
            since = held_since.pop(event.comment_id)
            intervals.append((since, event.created_at))
            if event.actor == Actor.MODERATOR and event.created_at >= period.start:
                day = timezone.localdate(event.created_at)
                waits[day].append((event.created_at - since).total_seconds() / 3600)
    intervals.extend((since, None) for since in held_since.values())
    sizes: dict[date, int] = {}
    for day in period.days:
        end_of_day = timezone.make_aware(
            datetime.combine(day + timedelta(days=1), datetime.min.time())
        )
        sizes[day] = sum(
            1
            for since, until in intervals
            if since < end_of_day and (until is None or until >= end_of_day)
        )
    return sizes, {day: median(values) for day, values in waits.items()}


def score_histograms(
    *, site: Site, period: Period, labels: tuple[str, ...]
) -> dict[str, list[int]]:
    """Counts of each label's scores in SCORE_BINS equal bins from 0 to 1."""
    out = {label: [0] * SCORE_BINS for label in labels}
    rows = Comment.objects.filter(
        article__site=site, created_at__range=(period.start, period.end)
    ).values_list("scores", flat=True)
    for scores in rows:
        for label in labels:
            value = (scores or {}).get(label)
            if value is not None:
                out[label][min(int(float(value) * SCORE_BINS), SCORE_BINS - 1)] += 1
    return out


def decisions_per_day(*, site: Site, period: Period) -> dict[date, Counter[str]]:
    """Final decisions (published or rejected) each day, by the automatic policy or a moderator."""
    rows = (
        ModerationEvent.objects.filter(
            comment__article__site=site,
            created_at__range=(period.start, period.end),
            to_status__in=[Comment.Status.APPROVED, Comment.Status.REJECTED],
        )
        .annotate(day=TruncDate("created_at"))
        .values("day", "actor")
        .annotate(n=Count("id"))
    )
    out: dict[date, Counter[str]] = {d: Counter() for d in period.days}
    for row in rows:
        out.setdefault(row["day"], Counter())[row["actor"]] += row["n"]
    return out


@dataclass(frozen=True)
class Overturns:
    label: str
    decided: str  # what the model decided: rejected or held
    reviewed: int  # of those, how many a moderator decided afterwards
    overturned: int  # ... the other way (a rejection approved; a hold approved counts as agreeing)

    @property
    def rate(self) -> float | None:
        return self.overturned / self.reviewed if self.reviewed else None


def overturns_by_label(*, site: Site, period: Period) -> list[Overturns]:
    """How often moderators reverse the model, by the label that drove its decision: for
    rejections the complement is the live precision of that label's reject threshold; for
    holds, an approval means the hold was not needed."""
    automatic: dict[int, tuple[str, str]] = {}
    final: dict[int, str] = {}
    comments = Comment.objects.filter(
        article__site=site, created_at__range=(period.start, period.end)
    ).values_list("id", "decision_label")
    labels = dict(comments)
    for event in ModerationEvent.objects.filter(comment_id__in=list(labels)).order_by(
        "created_at", "id"
    ):
        if event.actor == Actor.SYSTEM and event.comment_id not in automatic:
            automatic[event.comment_id] = (event.to_status, labels[event.comment_id] or "none")
        elif event.actor == Actor.MODERATOR and event.to_status in ("approved", "rejected"):
            final[event.comment_id] = event.to_status
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for comment_id, (status, label) in automatic.items():
        if status not in ("rejected", "held") or comment_id not in final:
            continue
        cell = counts[(label, status)]
        cell[0] += 1
        if final[comment_id] == "approved":
            cell[1] += 1
    return [
        Overturns(label, status, n, over) for (label, status), (n, over) in sorted(counts.items())
    ]


def shadow_scores_visible_to(*, user) -> QuerySet[ShadowScore]:
    return ShadowScore.objects.filter(comment__article__site__in=sites_visible_to(user=user))
