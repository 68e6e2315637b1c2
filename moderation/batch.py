"""Deciding pending comments in batches: one scoring call, batched reads, one transaction.

A scoring message (moderation.tasks) decides its own comment and up to N - 1 other pending
ones, oldest first. On PostgreSQL the batch claims its rows with SELECT ... FOR UPDATE SKIP
LOCKED, so two workers never claim the same comment and a moderator's change of a claimed
comment waits for the batch's commit (then finds the comment decided, as it would after a
one-comment decision). Every row is still written with the conditional update of
services.comment_transition (status still what it was read as); should any have changed
(SQLite has no row locks), the batch rolls back and each comment is decided alone.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone

from moderation import decisions, queue, scoring, services
from moderation.authors.models import AuthorBan
from moderation.authors.selectors import bans_for_comments, trusted_comment_ids
from moderation.learning import services as learning_services
from moderation.models import CLASSIFIER_UNAVAILABLE_LABEL, Actor, Comment, ModerationEvent
from moderation.notify import batch as notify_batch
from moderation.policy import engine, history
from moderation.policy.checks import Submission
from moderation.policy.verdict import RuleHit
from moderation.rules.models import SiteRules
from moderation.rules.selectors import site_rules

logger = logging.getLogger(__name__)

Status = Comment.Status


class _Raced(Exception):
    """A claimed comment changed before the batch wrote it: the batch is rolled back."""


@dataclass
class _Site:
    """What a batch reads once per site."""

    rules: SiteRules
    overrides: dict[str, dict[str, float | None]] | None = None
    approved: dict[str, int] = field(default_factory=dict)  # email -> approved comments
    campaigns: history.CampaignWindow | None = None


def comments_score_batch(*, comment_id: int | None, limit: int) -> dict[int, str]:
    """Decide this comment (if any) and other pending ones, up to limit; comment id -> status.

    Every message claims, even one whose comment another batch decided: submissions that found
    the scoring key armed rely on it (moderation.queue). The key is cleared before the claim,
    so every comment whose submission skipped its message committed before the claim began. A
    comment held because no model could score it is scored again alone, as
    services.comment_score does.
    """
    if comment_id is not None:
        # No ORDER BY (as .first() would add): the primary key finds at most one row.
        rows = Comment.objects.filter(pk=comment_id).values_list("status", "decision_label")[:1]
        row = next(iter(rows), None)
        if row is not None and row == (Status.HELD, CLASSIFIER_UNAVAILABLE_LABEL):
            decision = services.comment_score(comment_id=comment_id)
            return {comment_id: decision.status} if decision else {}
    queue.score_disarm()
    try:
        with transaction.atomic():
            comments = _claim(comment_id, limit)
            if len(comments) == limit:
                _continue()
            return _decide(comments) if comments else {}
    except _Raced as raced:
        decided: dict[int, str] = {}
        for pk in raced.args[0]:
            decision = services.comment_score(comment_id=pk)
            if decision is not None:
                decided[pk] = decision.status
        if (
            len(raced.args[0]) == limit
            and not connection.features.has_select_for_update_skip_locked
        ):
            queue.comments_score_continue()  # its on_commit went with the rollback
        return decided


def _continue() -> None:
    """A full batch: more may be pending, so queue the next message."""
    if connection.features.has_select_for_update_skip_locked:
        # At once, so another worker claims the next rows (skipping these) while this one
        # decides, and a batch killed from here on has left its successor queued.
        queue.comments_score_continue()
    else:
        # Without row locks the next claim would read these rows too: after the commit.
        transaction.on_commit(queue.comments_score_continue)


def _claim(comment_id: int | None, limit: int) -> list[Comment]:
    """Its own comment first, then the oldest other pending ones, locked where rows can be."""
    rows = Comment.objects.select_related("article__site").filter(status=Status.PENDING)
    if connection.features.has_select_for_update_skip_locked:
        # Rows another batch holds are skipped: it decides them.
        rows = rows.select_for_update(skip_locked=True, of=("self",))
    claimed: list[Comment] = []
    if comment_id is not None:
        claimed = list(rows.filter(pk=comment_id))
        rows = rows.exclude(pk=comment_id)
    if limit > len(claimed):
        claimed += rows.order_by("last_enqueued_at", "id")[: limit - len(claimed)]
    return claimed


def _submission(comment: Comment) -> Submission:
    return Submission(
        body=comment.body,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
    )


def _scores(comments: list[Comment]) -> dict[int, scoring.CommentScores]:
    """Every comment's scores, one models' call per site; none where no model could score."""
    by_site: dict[int, list[Comment]] = {}
    for comment in comments:
        by_site.setdefault(comment.article.site_id, []).append(comment)
    found: dict[int, scoring.CommentScores] = {}
    for site_id, members in by_site.items():
        try:
            results = scoring.scores_for_texts([c.body for c in members], site_id=site_id)
        except scoring.ModelsUnavailable:
            continue  # said loudly once when the load failed: each comment is held
        except Exception:
            logger.exception("The classifier is unavailable; deciding by the rules alone")
            continue
        found.update({c.pk: result for c, result in zip(members, results, strict=True)})
    return found


def _sites(comments: list[Comment]) -> dict[int, _Site]:
    """Each site's rules once, its authors' approved counts (one grouped query where the
    newcomer rule is on) and its campaign window (one read of the recent fingerprints)."""
    sites: dict[int, _Site] = {}
    for comment in comments:
        site_id = comment.article.site_id
        if site_id not in sites:
            sites[site_id] = _Site(rules=site_rules(site_id=site_id))
    for site_id, site in sites.items():
        members = [c for c in comments if c.article.site_id == site_id]
        if site.rules.newcomers != SiteRules.NewcomerMode.OFF:
            counts = (
                Comment.objects.filter(article__site_id=site_id, status=Status.APPROVED)
                .annotate(address=Lower("author_email"))
                .filter(address__in={c.author_email.strip().lower() for c in members})
                .values("address")
                .annotate(n=Count("id"))
                .values_list("address", "n")
            )
            site.approved = dict(counts)
        if site.rules.campaign_authors:
            site.campaigns = history.CampaignWindow(
                site.rules, site_id=site_id, comment_ids=[c.pk for c in members]
            )
    return sites


def _decide(comments: list[Comment]) -> dict[int, str]:
    bans = bans_for_comments(comments=comments)
    rest = [c for c in comments if c.pk not in bans]
    trusted = trusted_comment_ids(comments=rest)
    sites = _sites(rest)
    base: dict[int, list[RuleHit]] = {
        c.pk: engine.base_hits(sites[c.article.site_id].rules, _submission(c)) for c in rest
    }
    scores = _scores([c for c in rest if engine.needs_scores(base[c.pk])])
    now = timezone.now()
    events: list[ModerationEvent] = []
    shadow: list[tuple[Comment, engine.Judgement]] = []
    for comment in comments:
        ban = bans.get(comment.pk)
        if ban is not None:
            comment.decision_reason, comment.decided_at = ban.rejection_reason, now
            comment.status = Status.REJECTED
            events.append(_event(comment, ban.rejection_reason, "ban", _ban_details(ban)))
            continue
        judgement = _judge(comment, sites[comment.article.site_id], base, scores, trusted)
        verdict = judgement.verdict
        # No explanation (about 2 ms a model): the pages that show one compute it on read.
        fields = decisions.verdict_fields(judgement, explanation={})
        for name, value in {**fields, "decision_reason": verdict.reason, "decided_at": now}.items():
            setattr(comment, name, value)
        comment.status = verdict.status
        details = decisions.verdict_details(judgement, trusted=comment.pk in trusted)
        events.append(_event(comment, verdict.reason, "", details))
        if judgement.scores is not None:
            shadow.append((comment, judgement))
    if _write(comments) != len(comments):
        raise _Raced([c.pk for c in comments])
    ModerationEvent.objects.bulk_create(events)
    decided = {c.pk for c in comments}
    for site in sites.values():
        if site.campaigns is not None:
            site.campaigns.save(decided)
    notify_batch.comments_status_changed_enqueue(events=events)
    for comment, judgement in shadow:
        if scoring.shadow_entries(comment.article.site_id):
            assert judgement.scores is not None
            learning_services.shadow_scores_record(
                comment=comment,
                scores=judgement.scores.scores,
                thresholds=judgement.thresholds,
                live_status=judgement.verdict.status,
            )
    return {c.pk: c.status for c in comments}


# The columns a decision writes (a banned comment keeps its other columns as they were), with
# their PostgreSQL types in the VALUES list of the one UPDATE.
_TYPES = {
    "status": "varchar",
    "decision_reason": "text",
    "decided_at": "timestamptz",
    "decision_label": "varchar",
    "fired_rules": "varchar",
    "spam_score": "double precision",
    "toxicity_score": "double precision",
    "scores": "jsonb",
    "model_versions": "jsonb",
    "explanation": "jsonb",
}


def _write(comments: list[Comment]) -> int:
    """The conditional update of every decided comment (only while still pending); how many.

    On PostgreSQL one UPDATE ... FROM (VALUES ...) writes them all (Django's bulk_update builds
    a CASE per column and row, milliseconds of Python per comment); elsewhere one UPDATE each.
    """
    if connection.vendor != "postgresql":
        return sum(
            Comment.objects.filter(pk=c.pk, status=Status.PENDING).update(
                **{name: getattr(c, name) for name in _TYPES}
            )
            for c in comments
        )
    quote = connection.ops.quote_name
    row = "(%s, " + ", ".join(f"%s::{kind}" for kind in _TYPES.values()) + ")"
    params: list[Any] = []
    for comment in comments:
        params.append(comment.pk)
        for name in _TYPES:
            value = getattr(comment, name)
            if _TYPES[name] == "jsonb":
                value = json.dumps(value)
            elif isinstance(value, str):
                value = str(value)  # a TextChoices member as the plain text it stands for
            params.append(value)
    table = quote(Comment._meta.db_table)
    assignments = ", ".join(f"{quote(name)} = v.{quote(name)}" for name in _TYPES)
    columns = ", ".join(["id", *(quote(name) for name in _TYPES)])
    # Only constant names and placeholders go into the text; every value is a parameter.
    sql = (
        f"UPDATE {table} AS c SET {assignments} "  # noqa: S608
        f"FROM (VALUES {', '.join([row] * len(comments))}) AS v({columns}) "
        f"WHERE c.id = v.id AND c.status = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, Status.PENDING])
        return cursor.rowcount


def _judge(
    comment: Comment,
    site: _Site,
    base: dict[int, list[RuleHit]],
    scores: dict[int, scoring.CommentScores],
    trusted: set[int],
) -> engine.Judgement:
    """As engine.judge, from the batch's reads; the batch's approvals count as they happen."""
    hits = list(base[comment.pk])
    email = comment.author_email.strip().lower()
    if engine.needs_scores(hits):
        hits += engine.history_hits(
            site=comment.article.site,
            rules=site.rules,
            submission=_submission(comment),
            comment=comment,
            approved=site.approved.get(email, 0),
            campaigns=site.campaigns,
        )
    result = scores.get(comment.pk)
    if result is not None and site.overrides is None:
        site.overrides = comment.article.site.threshold_overrides()
    judgement = engine.verdict_for(
        hits, result, overrides=site.overrides or {}, trusted=comment.pk in trusted
    )
    if judgement.verdict.status == Status.APPROVED:
        site.approved[email] = site.approved.get(email, 0) + 1
    return judgement


def _ban_details(ban: AuthorBan) -> dict[str, object]:
    return {"ban_id": ban.pk, "ban_kind": ban.kind}


def _event(comment: Comment, reason: str, label: str, details: dict) -> ModerationEvent:
    return ModerationEvent(
        comment=comment,
        from_status=Status.PENDING,
        to_status=comment.status,
        actor=Actor.SYSTEM,
        reason=reason,
        label=label,
        details=details,
    )
