from datetime import timedelta

import pytest
from django.utils import timezone

from moderation import selectors, services
from moderation.errors import NotFoundError
from moderation.models import Comment
from tests.moderation.factories import ArticleFactory, CommentFactory

Status = Comment.Status
pytestmark = pytest.mark.django_db


def test_published_comments_are_the_approved_ones_of_the_article_oldest_first(article):
    first = CommentFactory(article=article, status=Status.APPROVED)
    second = CommentFactory(article=article, status=Status.APPROVED)
    CommentFactory(article=article, status=Status.HELD)
    CommentFactory(status=Status.APPROVED)  # another article
    Comment.objects.filter(pk=first.pk).update(created_at=timezone.now() + timedelta(seconds=1))
    assert list(selectors.comments_published(article_id=article.pk)) == [second, first]


def test_published_comments_of_an_unknown_article_is_not_found(db):
    with pytest.raises(NotFoundError) as error:
        selectors.comments_published(article_id=424242)
    assert "article_id" in error.value.fields


def test_an_author_reads_their_comment_with_its_token():
    comment = CommentFactory()
    assert selectors.comment_for_author(comment_id=comment.pk, token="secret-token") == comment


def test_a_wrong_token_and_a_missing_comment_get_the_same_answer():
    comment = CommentFactory()
    with pytest.raises(NotFoundError) as wrong_token:
        selectors.comment_for_author(comment_id=comment.pk, token="guess")
    with pytest.raises(NotFoundError) as missing:
        selectors.comment_for_author(comment_id=comment.pk + 1000, token="secret-token")
    assert (wrong_token.value.message, wrong_token.value.fields) == (
        missing.value.message,
        missing.value.fields,
    )


def test_a_moderator_reads_a_comment_with_its_events_in_few_queries(
    moderator, django_assert_num_queries
):
    comment = CommentFactory(status=Status.HELD)
    services.comment_approve(comment_id=comment.pk, moderator=moderator)
    services.comment_send_back(comment_id=comment.pk, moderator=moderator)
    # The moderator's sites, the comment with its article and site, then the events with their
    # moderators (the permission check was cached by the decisions above).
    with django_assert_num_queries(3):
        loaded = selectors.comment_for_moderator(comment_id=comment.pk, user=moderator)
        events = [(e.to_status, e.moderator.username) for e in loaded.events.all()]
        assert loaded.article.site.domain
    assert events == [(Status.APPROVED, moderator.username), (Status.HELD, moderator.username)]


def test_a_moderator_asking_for_an_unknown_comment_gets_not_found(moderator):
    with pytest.raises(NotFoundError) as error:
        selectors.comment_for_moderator(comment_id=424242, user=moderator)
    assert "comment_id" in error.value.fields


def test_the_moderation_list_filters_by_status_site_and_article_newest_first(moderator):
    article = ArticleFactory()
    older = CommentFactory(article=article, status=Status.HELD)
    newer = CommentFactory(article=article, status=Status.HELD)
    CommentFactory(article=article, status=Status.APPROVED)
    elsewhere = CommentFactory(status=Status.HELD)
    assert list(
        selectors.comments_for_moderation(user=moderator, status=Status.HELD, article_id=article.pk)
    ) == [
        newer,
        older,
    ]
    assert list(
        selectors.comments_for_moderation(user=moderator, site_id=elsewhere.article.site_id)
    ) == [elsewhere]


def test_stale_pending_ids_are_pending_comments_whose_last_enqueue_is_old():
    hour_ago = timezone.now() - timedelta(hours=1)
    stale = CommentFactory()
    Comment.objects.filter(pk=stale.pk).update(created_at=hour_ago, last_enqueued_at=hour_ago)
    CommentFactory()  # fresh
    held = CommentFactory(status=Status.HELD)
    Comment.objects.filter(pk=held.pk).update(created_at=hour_ago, last_enqueued_at=hour_ago)
    # Old, but queued again a moment ago: its message is still on the way.
    requeued = CommentFactory()
    Comment.objects.filter(pk=requeued.pk).update(created_at=hour_ago)
    assert selectors.stale_pending_comment_ids(older_than_seconds=60) == [stale.pk]
