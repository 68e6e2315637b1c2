"""The whole automatic decision on one comment: rules, trust, bans, both models, thresholds.

The worker (services.comment_score) and `manage.py moderate_csv` both decide through `judge`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from moderation import policy, scoring
from moderation.models import Comment, Site
from moderation.policy import history, links
from moderation.policy.checks import Submission, text_hits
from moderation.policy.verdict import HARD_RULES, REJECT, RuleHit, Verdict, combine
from moderation.rules.models import SiteRules

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    scores: scoring.CommentScores | None  # None: not scored (hard rule, or models unavailable)
    thresholds: dict[str, policy.Thresholds]


def _scores(text: str, site_id: int) -> scoring.CommentScores | None:
    try:
        # A site's own promoted layer (moderation/learning) scores its comments only.
        return scoring.scores_for_text(text, site_id=site_id)
    except scoring.ModelsUnavailable:
        # Said loudly once when the load failed (scoring logs it); no traceback per comment.
        return None
    except Exception:  # a missing or broken model artifact: decide without the models
        logger.exception("The classifier is unavailable; deciding by the rules alone")
        return None


def base_hits(rules: SiteRules, submission: Submission, *, ban_reason: str = "") -> list[RuleHit]:
    """The rules that read only the comment (and its ban): hard rules among them decide first."""
    hits: list[RuleHit] = []
    if ban_reason:
        hits.append(RuleHit("ban", REJECT, ban_reason.removeprefix("Rejected: ").rstrip(".")))
    return hits + text_hits(rules, submission)


def history_hits(
    *,
    site: Site,
    rules: SiteRules,
    submission: Submission,
    comment: Comment | None = None,
    approved: int | None = None,
    campaigns: history.CampaignWindow | None = None,
) -> list[RuleHit]:
    """The rules that read what came before: newcomers and campaigns. `approved` (the author's
    approved comments on the site) and `campaigns` are a batch's reads, made once for all."""
    hits = history.newcomer_hits(
        rules,
        site_id=site.pk,
        email=submission.author_email,
        link_count=len(links.link_hosts(submission.body)),
        approved=approved,
    )
    if comment is not None and rules.campaign_authors:
        if campaigns is not None:
            hits += campaigns.hits(comment)
        else:
            hits += history.campaign_hits(rules, comment=comment)
    return hits


def rule_hits(
    *,
    site: Site,
    rules: SiteRules,
    submission: Submission,
    ban_reason: str = "",
    comment: Comment | None = None,
) -> list[RuleHit]:
    """Every rule that fired on one submission; history is not read once a hard rule fired."""
    hits = base_hits(rules, submission, ban_reason=ban_reason)
    if needs_scores(hits):
        hits += history_hits(site=site, rules=rules, submission=submission, comment=comment)
    return hits


def needs_scores(hits: list[RuleHit]) -> bool:
    """Whether the models are asked at all: a hard rule decides without them."""
    return not any(hit.rule in HARD_RULES for hit in hits)


def verdict_for(
    hits: list[RuleHit],
    result: scoring.CommentScores | None,
    *,
    overrides: dict[str, dict[str, float | None]],
    trusted: bool = False,
) -> Judgement:
    """The decision from the rules that fired and the models' scores (None: not scored)."""
    if result is None:
        return Judgement(combine(hits, model_status=None, trusted=trusted), None, {})
    thresholds = policy.resolve_thresholds(result.default_thresholds, overrides)
    decision = policy.decide(result.scores, thresholds, trusted=trusted)
    verdict = combine(
        hits,
        model_status=decision.status,
        model_reason=decision.reason,
        model_label=policy.driving_label(decision.status, result.scores, thresholds),
        trusted=trusted,
    )
    return Judgement(verdict, result, thresholds)


def judge(
    *,
    site: Site,
    rules: SiteRules,
    submission: Submission,
    trusted: bool = False,
    ban_reason: str = "",
    comment: Comment | None = None,
) -> Judgement:
    """Decide one submission. With `comment` (a stored one), campaigns are looked for and its
    fingerprint recorded; without, rules that need history beyond the author's are skipped."""
    hits = rule_hits(
        site=site, rules=rules, submission=submission, ban_reason=ban_reason, comment=comment
    )
    result = _scores(submission.body, site.pk) if needs_scores(hits) else None
    overrides = site.threshold_overrides() if result is not None else {}
    return verdict_for(hits, result, overrides=overrides, trusted=trusted)
