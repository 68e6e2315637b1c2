import pytest
from django.core.exceptions import ValidationError

from moderation.models import Comment, ModerationEvent, Site
from tests.moderation.factories import CommentFactory

Status = Comment.Status


@pytest.mark.parametrize(
    "start, target, by_moderator, allowed",
    [
        (Status.PENDING, Status.APPROVED, False, True),
        (Status.PENDING, Status.HELD, False, True),
        (Status.PENDING, Status.REJECTED, False, True),
        (Status.HELD, Status.APPROVED, False, False),
        (Status.APPROVED, Status.REJECTED, False, False),
        (Status.HELD, Status.APPROVED, True, True),
        (Status.HELD, Status.REJECTED, True, True),
        (Status.APPROVED, Status.REJECTED, True, True),
        (Status.REJECTED, Status.APPROVED, True, True),
        (Status.APPROVED, Status.APPROVED, True, False),
        (Status.HELD, Status.PENDING, True, False),
        (Status.APPROVED, Status.PENDING, True, False),
    ],
)
def test_the_state_machine_allows_only_its_transitions(start, target, by_moderator, allowed):
    comment = Comment(status=start)
    assert comment.can_move(target, by_moderator=by_moderator) is allowed


@pytest.mark.django_db
def test_moderation_events_cannot_be_changed_or_deleted():
    event = ModerationEvent.objects.create(
        comment=CommentFactory(),
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
        actor=ModerationEvent.Actor.SYSTEM,
        reason="Published.",
    )
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert ModerationEvent.objects.get(pk=event.pk).reason == "Published."


def test_a_site_policy_with_publish_above_reject_is_invalid():
    site = Site(name="x", domain="x.example", spam_publish_below=0.8, spam_reject_above=0.5)
    with pytest.raises(ValidationError) as error:
        site.clean()
    assert "spam_reject_above" in error.value.message_dict


def test_site_threshold_overrides_only_name_what_the_site_set():
    site = Site(toxicity_reject_above=0.7)
    assert site.threshold_overrides() == {"toxicity": {"reject": 0.7}}
