import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from moderation.models import Actor, Article, Comment, ModerationEvent, SiteThreshold
from tests.moderation.factories import ArticleFactory, CommentFactory, SiteFactory

Status = Comment.Status
SYSTEM, MODERATOR = Actor.SYSTEM, Actor.MODERATOR


@pytest.mark.parametrize(
    "start, target, actor, allowed",
    [
        (Status.PENDING, Status.APPROVED, SYSTEM, True),
        (Status.PENDING, Status.HELD, SYSTEM, True),
        (Status.PENDING, Status.REJECTED, SYSTEM, True),
        (Status.HELD, Status.APPROVED, SYSTEM, False),
        (Status.APPROVED, Status.REJECTED, SYSTEM, False),
        (Status.HELD, Status.APPROVED, MODERATOR, True),
        (Status.HELD, Status.REJECTED, MODERATOR, True),
        (Status.APPROVED, Status.REJECTED, MODERATOR, True),
        (Status.REJECTED, Status.APPROVED, MODERATOR, True),
        (Status.APPROVED, Status.HELD, MODERATOR, True),
        (Status.REJECTED, Status.HELD, MODERATOR, True),
        (Status.PENDING, Status.HELD, MODERATOR, False),
        (Status.APPROVED, Status.APPROVED, MODERATOR, False),
        (Status.HELD, Status.PENDING, MODERATOR, False),
        (Status.APPROVED, Status.PENDING, MODERATOR, False),
    ],
)
def test_the_state_machine_allows_only_its_transitions(start, target, actor, allowed):
    comment = Comment(status=start)
    assert comment.can_move(target, actor=actor) is allowed


def test_a_status_token_matches_only_the_comment_it_was_issued_for():
    comment, other = Comment(), Comment()
    token = comment.issue_status_token()
    other.issue_status_token()
    assert token not in comment.status_token_hash
    assert comment.token_matches(token)
    assert not comment.token_matches(token + "x")
    assert not other.token_matches(token)


def _event(comment, **fields):
    return ModerationEvent.objects.create(
        comment=comment,
        from_status=Status.PENDING,
        to_status=Status.APPROVED,
        reason="Published.",
        **{"actor": SYSTEM, **fields},
    )


@pytest.mark.django_db
def test_a_moderation_event_instance_cannot_be_changed_or_deleted():
    event = _event(CommentFactory())
    event.reason = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert ModerationEvent.objects.get(pk=event.pk).reason == "Published."


@pytest.mark.django_db
def test_queryset_deletes_and_updates_of_events_are_refused():
    event = _event(CommentFactory())
    with pytest.raises(ValueError, match="append-only"):
        ModerationEvent.objects.all().delete()
    with pytest.raises(ValueError, match="append-only"):
        ModerationEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(ValueError, match="append-only"):
        ModerationEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    assert ModerationEvent.objects.get(pk=event.pk).reason == "Published."


@pytest.mark.django_db
@pytest.mark.parametrize("delete", ["comment", "comments", "article", "site"])
def test_deleting_a_moderated_comment_or_its_article_or_site_is_refused(delete):
    comment = CommentFactory(status=Status.APPROVED)
    _event(comment)
    with pytest.raises(ProtectedError):
        if delete == "comment":
            comment.delete()
        elif delete == "comments":
            Comment.objects.all().delete()
        elif delete == "article":
            comment.article.delete()
        else:
            comment.article.site.delete()
    assert ModerationEvent.objects.filter(comment=comment).count() == 1
    assert Comment.objects.filter(pk=comment.pk).exists()


@pytest.mark.django_db
def test_an_article_whose_comments_were_never_moderated_can_still_be_deleted():
    article = ArticleFactory()
    CommentFactory(article=article)  # pending, no event yet
    article.delete()
    assert not Article.objects.filter(pk=article.pk).exists()
    assert Comment.objects.count() == 0


@pytest.mark.django_db
def test_deleting_a_moderator_keeps_their_events(django_user_model):
    moderator = django_user_model.objects.create_user("gone", password="pw")
    event = _event(CommentFactory(status=Status.APPROVED), actor=MODERATOR, moderator=moderator)
    moderator.delete()
    event = ModerationEvent.objects.get(pk=event.pk)
    assert event.moderator is None and event.reason == "Published."


def test_a_threshold_row_with_publish_above_reject_is_invalid():
    row = SiteThreshold(label="spam", publish_below=0.8, reject_above=0.5)
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert "reject_above" in error.value.message_dict


def test_a_threshold_row_for_a_label_no_model_scores_is_invalid():
    row = SiteThreshold(label="sarcasm", publish_below=0.2, reject_above=None)
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert "not a label the models score" in error.value.message_dict["label"][0]


def test_a_threshold_row_without_reject_is_valid():
    SiteThreshold(label="threat", publish_below=0.1, reject_above=None).clean()


@pytest.mark.django_db
def test_the_database_refuses_publish_above_reject_and_two_rows_for_a_label():
    site = SiteFactory()
    SiteThreshold.objects.create(site=site, label="spam", publish_below=0.2, reject_above=0.9)
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteThreshold.objects.create(site=site, label="spam", publish_below=0.1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SiteThreshold.objects.create(site=site, label="insult", publish_below=0.8, reject_above=0.5)


@pytest.mark.django_db
def test_site_threshold_overrides_name_only_the_labels_the_site_set():
    site = SiteFactory()
    SiteThreshold.objects.create(site=site, label="threat", publish_below=0.05, reject_above=None)
    SiteThreshold.objects.create(site=site, label="spam", publish_below=0.2, reject_above=0.7)
    assert site.threshold_overrides() == {
        "spam": {"publish": 0.2, "reject": 0.7},
        "threat": {"publish": 0.05, "reject": None},
    }
