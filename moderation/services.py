"""Every write to comments goes through here, so the API, the admin and the workers agree."""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from moderation import decisions, policy, queue, scoring
from moderation.authors.hashing import comment_ip_hashes
from moderation.authors.models import AuthorBan
from moderation.authors.selectors import author_is_trusted, ban_for_comment
from moderation.errors import ApplicationError, ConflictError, NotFoundError
from moderation.learning import services as learning_services
from moderation.models import (
    CLASSIFIER_UNAVAILABLE_LABEL,
    Actor,
    Comment,
    ModerationEvent,
)
from moderation.notify import services as notify_services
from moderation.policy import engine
from moderation.policy import submit as submit_rules
from moderation.policy.checks import Submission
from moderation.policy.verdict import RuleHit
from moderation.rules.selectors import rules_of, site_rules
from moderation.selectors import (
    article_for_submission,
    comments_visible_to,
    held_unscored_comment_ids,
    moderator_acted_on,
    stale_pending_comment_ids,
)

logger = logging.getLogger(__name__)

Status = Comment.Status


def _thread_parent_id(parent: Comment, *, max_depth: int) -> int | None:
    """Where a reply to parent goes so threads never nest deeper than max_depth levels.

    A reply to a comment on the last level joins that level, under the comment's own parent.
    """
    ancestors = [parent]  # parent first, its thread's top-level comment last
    while ancestors[-1].parent_id is not None:
        ancestors.append(Comment.objects.only("id", "parent_id").get(pk=ancestors[-1].parent_id))
    parent_level = len(ancestors)  # a top-level comment is on level 1
    if parent_level < max_depth:
        return parent.pk
    if max_depth <= 1:
        return None
    # The ancestor on level max_depth - 1, so that the reply lands on level max_depth.
    return ancestors[parent_level - (max_depth - 1)].pk


def comment_submit(
    *,
    article_id: int,
    author_name: str,
    author_email: str,
    body: str,
    parent_id: int | None = None,
    author_url: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    notify: bool = False,
    honeypot: str = "",
) -> tuple[Comment, str]:
    """Store a reader's comment as pending and queue it for scoring once the row is committed.

    The site's submit-time rules answer first: closed (409), flood (429), duplicate (409). A
    filled honeypot stores the comment as rejected, unscored, behind the same answer as any.
    With notify, its author is emailed (after confirming their address) when it is
    published and when a reply to it is. Returns the comment and the private token that lets
    its author read its status.
    """
    found = article_for_submission(article_id=article_id)
    if found is None:
        raise NotFoundError(
            f"There is no article {article_id}.",
            fields={"article_id": [f"No article with id {article_id}."]},
        )
    article, site_webhooks = found
    rules = rules_of(article.site)
    submit_rules.check_open(article, rules)
    submit_rules.check_flood(
        rules, site_id=article.site_id, ip_address=ip_address, email=author_email
    )
    trapped = submit_rules.honeypot_filled(rules, honeypot)
    if not trapped:
        submit_rules.check_duplicate(rules, article=article, email=author_email, body=body)
    if parent_id is not None:
        # Only a published comment can be replied to. A hidden one (pending, held, rejected)
        # gets the unknown id's answer, so replies neither confirm it exists nor grow under it.
        parent = Comment.objects.filter(
            pk=parent_id, article=article, status=Comment.Status.APPROVED
        ).first()
        if parent is None:
            raise NotFoundError(
                "The comment replied to is not on this article.",
                fields={"parent": [f"No comment {parent_id} on article {article_id}."]},
            )
        parent_id = _thread_parent_id(parent, max_depth=article.site.thread_max_depth)

    comment = Comment(
        article=article,
        parent_id=parent_id,
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        ip_address=ip_address,
        user_agent=user_agent[:500],
    )
    comment.ip_hash, comment.ip_network_hash = comment_ip_hashes(ip_address)
    token = comment.issue_status_token()
    heard = not trapped and notify_services.comment_created_heard(
        site_id=article.site_id, subscribed=notify, webhooks=site_webhooks
    )
    # A lone INSERT needs no transaction: BEGIN and COMMIT would be two more round trips.
    with transaction.atomic() if trapped or heard else nullcontext():
        comment.save()
        if trapped:
            _comment_reject_honeypot(comment=comment)
            return comment, token
        if notify:
            notify_services.comment_subscription_create(comment=comment)
        queue.comment_score_enqueue(comment.pk)
        if heard:
            notify_services.comment_created_enqueue(comment=comment)
    return comment, token


HONEYPOT_REASON = "Rejected: honeypot (the hidden field only bots fill was filled)."


def _comment_reject_honeypot(*, comment: Comment) -> None:
    """A bot's comment: kept, rejected unscored, and never announced to anyone."""
    hit = RuleHit("honeypot", Status.REJECTED, "honeypot")
    comment_transition(
        comment=comment,
        to_status=Status.REJECTED,
        actor=Actor.SYSTEM,
        reason=HONEYPOT_REASON,
        label="honeypot",
        fields={"decision_label": "honeypot", "fired_rules": ",honeypot,"},
        details={"rules": [hit.as_detail()]},
    )


def _a(word: str) -> str:
    return "An" if word[:1] in "aeiou" else "A"


def comment_transition(
    *,
    comment: Comment,
    to_status: str,
    actor: str,
    reason: str,
    moderator: User | None = None,
    label: str = "",
    details: dict[str, Any] | None = None,
    fields: dict[str, Any] | None = None,
    undoes: ModerationEvent | None = None,
    rescore: bool = False,
) -> ModerationEvent:
    """The one way a comment's status changes: check the move, update conditionally, log it.

    `comment` is the row as the caller read it; its status is the one the move starts from, and
    the update only applies while the row still has it. `fields` are further columns written with
    the status (scores, say; a restored `decision_reason` wins over `reason`); `label` and
    `details` go into the event. `undoes` is the event an undo reverses (which allows the reverse
    of a moderator move). `rescore` lets the system decide a comment it held because no model
    could score it, provided it is still held for that reason and no moderator has acted on it.
    Raises ConflictError when the move is not allowed for `actor` or the comment changed meanwhile.
    """
    from_status = comment.status
    if not comment.can_move(to_status, actor=actor, undo=undoes is not None, rescore=rescore):
        raise ConflictError(
            f"{_a(from_status)} {from_status} comment cannot be moved to {to_status}.",
            fields={"status": [f"Comment {comment.pk} is {from_status}."]},
        )
    changes = {
        "decision_reason": reason,
        "decided_at": timezone.now(),
        **(fields or {}),
        "status": to_status,
    }
    with transaction.atomic():
        rows = Comment.objects.filter(pk=comment.pk, status=from_status)
        if rescore:
            rows = rows.filter(decision_label=CLASSIFIER_UNAVAILABLE_LABEL).exclude(
                moderator_acted_on()
            )
        updated = rows.update(**changes)
        if updated == 0:
            raise ConflictError(
                "The comment was changed by someone else in the meantime; reload and try again.",
                fields={"status": ["Changed by someone else in the meantime."]},
            )
        event = ModerationEvent.objects.create(
            comment=comment,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            moderator=moderator,
            reason=reason,
            label=label,
            details=details or {},
            undoes=undoes,
        )
        notify_services.comment_status_changed_enqueue(
            comment_id=comment.pk,
            from_status=from_status,
            to_status=to_status,
            moderation_event_id=event.pk,
        )
    for name, value in changes.items():
        setattr(comment, name, value)
    return event


def comment_score(*, comment_id: int) -> policy.Decision | None:
    """Score a pending comment and decide it by its site's policy; a no-op if already decided.

    A comment held because no model could score it is scored and decided the same way, unless a
    moderator has acted on it. Without models, a pending comment is held with the reason
    "classifier unavailable" so that it shows in the queue at once.
    """
    comment = Comment.objects.select_related("article__site").filter(pk=comment_id).first()
    if comment is None:
        logger.warning("Comment %s no longer exists; nothing to score", comment_id)
        return None
    rescore = comment.status == Status.HELD and _held_unscored(comment)
    if comment.status != Status.PENDING and not rescore:
        return None

    # Hard rules first: a ban rejects without scoring (see moderation.policy.verdict).
    ban = ban_for_comment(comment=comment)
    if ban is not None:
        return _comment_reject_banned(comment=comment, ban=ban, rescore=rescore)

    site = comment.article.site
    trusted = author_is_trusted(email=comment.author_email, site_id=site.pk)
    judgement = engine.judge(
        site=site,
        rules=site_rules(site_id=site.pk),
        submission=Submission(
            body=comment.body,
            author_name=comment.author_name,
            author_email=comment.author_email,
            author_url=comment.author_url,
        ),
        trusted=trusted,
        comment=comment,
    )
    verdict, result, thresholds = judgement.verdict, judgement.scores, judgement.thresholds
    if rescore and result is None:
        return None  # still no models here: it stays held, with its one event
    try:
        comment_transition(
            comment=comment,
            to_status=verdict.status,
            actor=Actor.SYSTEM,
            reason=verdict.reason,
            fields=decisions.verdict_fields(judgement),
            details=decisions.verdict_details(judgement, trusted=trusted),
            rescore=rescore,
        )
    except ConflictError:
        # Another worker or a moderator got there first; their decision stands.
        return None
    if result is not None:
        learning_services.shadow_scores_record(
            comment=comment, scores=result.scores, thresholds=thresholds, live_status=verdict.status
        )
    return policy.Decision(Status(verdict.status), verdict.reason)


def comment_explanation_store(*, comment: Comment, explanation: dict[str, list[dict]]) -> bool:
    """Keep an explanation a page computed on read (the worker stores none), so that each is
    computed once; only while the comment has none and still has the text explained (an
    erasure that came between wins). Whether it was stored."""
    if comment.explanation or not explanation:
        return False
    stored = Comment.objects.filter(pk=comment.pk, body=comment.body, explanation={}).update(
        explanation=explanation
    )
    if stored:
        comment.explanation = explanation
    return bool(stored)


def _held_unscored(comment: Comment) -> bool:
    """Held because no model could score it, and no moderator has acted on it since."""
    return (
        comment.decision_label == CLASSIFIER_UNAVAILABLE_LABEL
        and not comment.events.filter(actor=Actor.MODERATOR).exists()
    )


def _comment_reject_banned(
    *, comment: Comment, ban: AuthorBan, rescore: bool = False
) -> policy.Decision | None:
    """A banned author's comment is kept, not scored, and rejected with a reason naming the ban."""
    reason = ban.rejection_reason
    try:
        comment_transition(
            comment=comment,
            to_status=Status.REJECTED,
            actor=Actor.SYSTEM,
            reason=reason,
            label="ban",
            details={"ban_id": ban.pk, "ban_kind": ban.kind},
            rescore=rescore,
        )
    except ConflictError:
        return None
    return policy.Decision(Status.REJECTED, reason)


_DEFAULT_REASONS: dict[str, str] = {
    Status.APPROVED: "Approved by a moderator.",
    Status.REJECTED: "Rejected by a moderator.",
    Status.HELD: "Sent back to the moderation queue by a moderator.",
}


def _comment_for_moderator(comment_id: int, moderator: User) -> Comment:
    # Outside the moderator's sites a comment does not exist for them: 404 on every route.
    comment = comments_visible_to(user=moderator).filter(pk=comment_id).first()
    if comment is None:
        raise NotFoundError(
            f"There is no comment {comment_id}.",
            fields={"comment_id": [f"No comment with id {comment_id}."]},
        )
    return comment


def comment_moderate(
    *,
    comment_id: int,
    to_status: str,
    moderator: User,
    reason: str = "",
    label: str = "",
    details: dict[str, Any] | None = None,
) -> Comment:
    """A moderator's decision on a comment, checked against the state machine and logged."""
    comment = _comment_for_moderator(comment_id, moderator)
    comment_transition(
        comment=comment,
        to_status=to_status,
        actor=Actor.MODERATOR,
        moderator=moderator,
        reason=reason.strip() or _DEFAULT_REASONS.get(to_status, f"{to_status} by a moderator."),
        label=label,
        details=details,
    )
    return comment


def comment_approve(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    return comment_moderate(
        comment_id=comment_id, to_status=Status.APPROVED, moderator=moderator, reason=reason
    )


def comment_reject(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    return comment_moderate(
        comment_id=comment_id, to_status=Status.REJECTED, moderator=moderator, reason=reason
    )


def comment_send_back(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    """Undo a published or rejected decision: the comment waits in the queue (held) again."""
    return comment_moderate(
        comment_id=comment_id, to_status=Status.HELD, moderator=moderator, reason=reason
    )


@dataclass(frozen=True)
class BulkOutcome:
    """What a decision on several comments did: the comments moved, and why others were not."""

    decided: list[Comment]
    refused: dict[int, str]


def comments_moderate(
    *,
    comment_ids: list[int],
    to_status: str,
    moderator: User,
    reason: str = "",
    label: str = "",
) -> BulkOutcome:
    """One decision on many comments; each moves (and is logged) on its own or is refused."""
    decided: list[Comment] = []
    refused: dict[int, str] = {}
    for comment_id in dict.fromkeys(comment_ids):
        try:
            with transaction.atomic():
                decided.append(
                    comment_moderate(
                        comment_id=comment_id,
                        to_status=to_status,
                        moderator=moderator,
                        reason=reason,
                        label=label,
                    )
                )
        except ApplicationError as error:
            refused[comment_id] = error.message
    return BulkOutcome(decided=decided, refused=refused)


UNDO_LABEL = "undo"


def comment_decision_undo(*, moderator: User) -> tuple[Comment, ModerationEvent]:
    """Take back this moderator's own last decision that is not undone yet.

    The comment returns to the status it had, with the reason it had; the undo is an event of its
    own that points at the one it reverses. Undoing again goes one decision further back. A comment
    sent back to pending is queued for scoring again. Raises NotFoundError when there is nothing
    to undo and ConflictError when the comment has changed since.

    Only decisions on comments the moderator may still see count: a moderator taken off a site
    cannot change that site's comments by undoing.
    """
    last = (
        ModerationEvent.objects.select_related("comment")
        .filter(
            comment__in=comments_visible_to(user=moderator),
            moderator=moderator,
            actor=Actor.MODERATOR,
            undoes__isnull=True,
            undone_by__isnull=True,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None:
        raise NotFoundError(
            "You have no decision left to undo.", fields={"undo": ["No decision of yours."]}
        )
    comment = last.comment
    if comment.status != last.to_status:
        raise ConflictError(
            f"Comment {comment.pk} is {comment.status} now, no longer {last.to_status}: "
            "someone changed it after your decision.",
            fields={"status": [f"Comment {comment.pk} changed after your decision."]},
        )
    before = ModerationEvent.objects.filter(comment=comment, pk__lt=last.pk).order_by("-pk").first()
    event = comment_transition(
        comment=comment,
        to_status=last.from_status,
        actor=Actor.MODERATOR,
        moderator=moderator,
        reason=f"Undone by the moderator: back to {last.from_status} (was {last.to_status}).",
        label=UNDO_LABEL,
        undoes=last,
        fields={
            "decision_reason": before.reason if before else "",
            "decided_at": before.created_at if before else None,
            # Queued again below: the sweeper waits the stale age before sending another.
            **({"last_enqueued_at": timezone.now()} if last.from_status == Status.PENDING else {}),
        },
    )
    if comment.status == Status.PENDING:
        queue.comment_score_enqueue(comment.pk)
    return comment, event


def comments_requeue_stale(
    *, older_than_seconds: int, limit: int = 1000, per_message: int = 1
) -> int:
    """Queue scoring again for comments whose last message is older than older_than_seconds.

    Pending comments (the broker was down, or a message was lost): one message for every
    `per_message` of them, oldest first, since a message claims that many (moderation.batch);
    and, once this process's models load, comments held because no model could score them, one
    message each (they are scored alone). A comment whose message is younger is waiting in the
    queue and is not sent again. At most `limit` comments per run; how many were queued (the
    broker refusing stops the run).
    """
    ids = stale_pending_comment_ids(older_than_seconds=older_than_seconds, limit=limit)
    groups = [ids[start : start + per_message] for start in range(0, len(ids), per_message)]
    if len(ids) < limit and scoring.models_ready():
        held = held_unscored_comment_ids(
            older_than_seconds=older_than_seconds, limit=limit - len(ids)
        )
        groups += [[pk] for pk in held]
    if not groups:
        return 0
    sent = queue.comments_score_resend([group[0] for group in groups])
    requeued = [pk for group in groups[: len(sent)] for pk in group]
    if requeued:
        Comment.objects.filter(pk__in=requeued).update(last_enqueued_at=timezone.now())
    logger.info(
        "Re-queued %d of %d stale comments for scoring in %d messages",
        len(requeued),
        sum(len(group) for group in groups),
        len(sent),
    )
    return len(requeued)
