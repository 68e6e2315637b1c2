"""The services the desk adds: bulk decisions, undo, and the label that drove a decision."""

import pytest

from moderation import services, tasks
from moderation.errors import ConflictError, NotFoundError
from moderation.models import Actor, Comment, ModerationEvent
from tests.moderation.factories import CommentFactory, ModeratorFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db


def test_scoring_records_the_label_that_held_the_comment(fake_scores):
    fake_scores(spam=0.5, toxicity=0.1)
    comment = CommentFactory()
    services.comment_score(comment_id=comment.pk)
    comment.refresh_from_db()
    assert comment.status == Status.HELD
    assert comment.decision_label == "spam"


def test_a_bulk_decision_moves_each_comment_and_reports_the_ones_it_cannot(moderator):
    held = CommentFactory.create_batch(2, status=Status.HELD)
    rejected = CommentFactory(status=Status.REJECTED)
    outcome = services.comments_moderate(
        comment_ids=[held[0].pk, held[1].pk, rejected.pk, 999_999],
        to_status=Status.REJECTED,
        moderator=moderator,
        reason="Link farm.",
        label="spam",
    )
    assert [c.pk for c in outcome.decided] == [held[0].pk, held[1].pk]
    assert set(outcome.refused) == {rejected.pk, 999_999}
    events = ModerationEvent.objects.filter(comment__in=held)
    assert {(e.label, e.reason, e.moderator_id) for e in events} == {
        ("spam", "Link farm.", moderator.pk)
    }
    assert not rejected.events.exists()


def test_undo_returns_the_comment_to_its_status_and_reason_and_logs_it(moderator):
    comment = CommentFactory(status=Status.PENDING)
    services.comment_transition(
        comment=comment, to_status=Status.HELD, actor=Actor.SYSTEM, reason="Held: spam 0.5."
    )
    services.comment_moderate(
        comment_id=comment.pk, to_status=Status.REJECTED, moderator=moderator, label="abuse"
    )
    undone, event = services.comment_decision_undo(moderator=moderator)
    comment.refresh_from_db()
    assert undone.pk == comment.pk
    assert comment.status == Status.HELD
    assert comment.decision_reason == "Held: spam 0.5."
    assert (event.from_status, event.to_status, event.label) == ("rejected", "held", "undo")
    assert event.undoes.label == "abuse"
    assert event.moderator == moderator


def test_undo_takes_back_the_moderators_own_decisions_one_at_a_time(moderator):
    first, second = CommentFactory.create_batch(2, status=Status.HELD)
    services.comment_approve(comment_id=first.pk, moderator=moderator)
    services.comment_reject(comment_id=second.pk, moderator=moderator)
    other = ModeratorFactory()
    published = CommentFactory(status=Status.APPROVED)
    services.comment_send_back(comment_id=published.pk, moderator=other)

    assert services.comment_decision_undo(moderator=moderator)[0].pk == second.pk
    assert services.comment_decision_undo(moderator=moderator)[0].pk == first.pk
    with pytest.raises(NotFoundError):
        services.comment_decision_undo(moderator=moderator)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.HELD


def test_undo_refuses_when_someone_changed_the_comment_since(moderator):
    comment = CommentFactory(status=Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    services.comment_reject(comment_id=comment.pk, moderator=ModeratorFactory())
    with pytest.raises(ConflictError, match="someone changed it"):
        services.comment_decision_undo(moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Status.REJECTED


def test_undoing_a_decision_on_a_pending_comment_queues_it_for_scoring_again(
    moderator, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks.comment_score_task, "delay", sent.append)
    comment = CommentFactory(status=Status.PENDING)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_decision_undo(moderator=moderator)
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.decided_at is None
    assert sent == [comment.pk]


def test_only_an_undo_may_make_the_reverse_move():
    approved = CommentFactory.build(status=Status.APPROVED)
    assert not approved.can_move(Status.PENDING, actor=Actor.MODERATOR)
    assert approved.can_move(Status.PENDING, actor=Actor.MODERATOR, undo=True)
    assert not approved.can_move(Status.PENDING, actor=Actor.SYSTEM, undo=True)
