"""What the widget and a site's server send, and what they get back."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from moderation.api import fields
from moderation.embed.selectors import ThreadComment, ThreadPage
from moderation.models import Article, Comment
from moderation.policy.submit import article_open
from moderation.rules.selectors import site_rules

MAX_PAGE = 10_000


# --- input -----------------------------------------------------------------------------------
class ArticleUpsertInput(serializers.Serializer):
    title = fields.StrictCharField(max_length=500)
    url = fields.StrictURLField(max_length=2000)
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comments_open = serializers.BooleanField(required=False, default=True)
    comments_close_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Comments close by themselves."
    )


class ArticleAutoCreateInput(serializers.Serializer):
    title = fields.StrictCharField(max_length=500, help_text="The page's title.")
    url = fields.StrictURLField(
        max_length=2000, help_text="The page's canonical URL, on one of the site's origins."
    )


class ThreadQueryInput(serializers.Serializer):
    order = serializers.ChoiceField(choices=["oldest", "newest"], default="oldest")
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=100, default=20)
    missing = serializers.ChoiceField(
        choices=["error", "empty"],
        default="error",
        help_text=(
            "An unknown article: 404 (error), or 200 with article null and can_create (empty), "
            "so the widget asks without an error before it creates the article."
        ),
    )


class SiteCommentsQueryInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Comment.Status.choices, required=False, help_text="Only comments in this status."
    )
    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=200, default=50)


# --- output ----------------------------------------------------------------------------------
class ArticleOutput(serializers.ModelSerializer):
    accepts_comments = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "external_id",
            "title",
            "url",
            "published_at",
            "comments_open",
            "comments_close_at",
            "accepts_comments",
            "created_at",
            "updated_at",
        ]

    def get_accepts_comments(self, article: Article) -> bool:
        return article_open(article, site_rules(site_id=article.site_id))


class ThreadCommentOutput(serializers.Serializer):
    """A published comment, or a removed one's place (empty name and text) above its replies."""

    id = serializers.IntegerField()
    # A declared field named like Field.parent: DRF's metaclass keeps them apart, mypy can't tell.
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    removed = serializers.BooleanField()
    author_name = serializers.CharField()
    author_url = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField(allow_null=True)
    replies = serializers.SerializerMethodField()

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text="Comments of this shape.")
    )
    def get_replies(self, node: ThreadComment) -> list[dict[str, Any]]:
        return [thread_comment_data(reply) for reply in node.replies]

    def to_representation(self, node: ThreadComment) -> dict[str, Any]:
        return thread_comment_data(node)


_DATETIME = serializers.DateTimeField()


def thread_comment_data(node: ThreadComment) -> dict[str, Any]:
    """ThreadCommentOutput's shape for node and its replies, as plain dicts: a serializer per
    comment cost more than the rest of a 1,000-comment thread read (`bench --suite thread`)."""
    comment = node.comment
    public = not node.removed
    return {
        "id": comment.pk,
        "parent": node.parent_id,
        "removed": node.removed,
        # Nothing of an unpublished comment reaches readers but its place.
        "author_name": comment.author_name if public else "",
        "author_url": comment.author_url if public else "",
        "body": comment.body if public else "",
        "created_at": _DATETIME.to_representation(comment.created_at) if public else None,
        "replies": [thread_comment_data(reply) for reply in node.replies],
    }


class ThreadOutput(serializers.Serializer):
    article = ArticleOutput(allow_null=True, help_text="null: no such article (missing=empty).")
    can_create = serializers.BooleanField(
        required=False, help_text="With article null: whether the widget may create it."
    )
    count = serializers.IntegerField(help_text="Published comments on the article.")
    threads = serializers.IntegerField(help_text="Top-level places on all pages.")
    max_depth = serializers.IntegerField(help_text="Levels of replies the site allows.")
    order = serializers.CharField()
    page = serializers.IntegerField()
    next = serializers.CharField(allow_null=True, help_text="The next page's URL, if any.")
    results = ThreadCommentOutput(many=True)

    @staticmethod
    def unknown_article(*, can_create: bool, max_depth: int, order: str) -> dict[str, Any]:
        """The answer for an article the site does not have yet (asked with missing=empty)."""
        return {
            "article": None,
            "can_create": can_create,
            "count": 0,
            "threads": 0,
            "max_depth": max_depth,
            "order": order,
            "page": 1,
            "next": None,
            "results": [],
        }

    @staticmethod
    def build(
        *, article: Article, thread: ThreadPage, order: str, next_url: str | None
    ) -> dict[str, Any]:
        return {
            "article": ArticleOutput(article).data,
            "count": thread.count,
            "threads": thread.thread_count,
            "max_depth": thread.max_depth,
            "order": order,
            "page": thread.page,
            "next": next_url,
            "results": [thread_comment_data(node) for node in thread.threads],
        }


class SiteCommentOutput(serializers.ModelSerializer):
    """A comment as the site's own server sees it: any status, never the e-mail or address."""

    class Meta:
        model = Comment
        fields = [
            "id",
            "parent",
            "status",
            "author_name",
            "author_url",
            "body",
            "created_at",
            "decided_at",
            "decision_reason",
        ]


class SiteCommentsOutput(serializers.Serializer):
    article = ArticleOutput()
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="The article's comments in each status."
    )
    count = serializers.IntegerField(help_text="Comments matching the query, over all pages.")
    next = serializers.CharField(allow_null=True, help_text="The next page's URL, if any.")
    previous = serializers.CharField(allow_null=True)
    results = SiteCommentOutput(many=True)
