from django.urls import path, register_converter

from moderation.api import views
from moderation.notify import api as notify_api


class IdConverter:
    """A database id: at most 18 digits, so it always fits a 64-bit column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("site/webhooks/", notify_api.SiteWebhooksView.as_view(), name="site-webhooks"),
    path(
        "site/webhooks/<id:endpoint_id>/",
        notify_api.SiteWebhookView.as_view(),
        name="site-webhook",
    ),
    path(
        "articles/<id:article_id>/comments/",
        views.ArticleCommentsView.as_view(),
        name="article-comments",
    ),
    path("comments/<id:comment_id>/", views.CommentStatusView.as_view(), name="comment-status"),
    path("moderation/comments/", views.ModerationQueueView.as_view(), name="moderation-queue"),
    path(
        "moderation/comments/<id:comment_id>/",
        views.ModerationCommentView.as_view(),
        name="moderation-comment",
    ),
    path(
        "moderation/comments/<id:comment_id>/approve/",
        views.ModerationApproveView.as_view(),
        name="moderation-approve",
    ),
    path(
        "moderation/comments/<id:comment_id>/reject/",
        views.ModerationRejectView.as_view(),
        name="moderation-reject",
    ),
    path(
        "moderation/comments/<id:comment_id>/send-back/",
        views.ModerationSendBackView.as_view(),
        name="moderation-send-back",
    ),
]
