"""Routes of the embed side, included at the site's root (the script lives at /embed.js)."""

from django.urls import path, register_converter

import moderation.api.urls  # noqa: F401 - registers the "id" path converter used below
from moderation.embed import views


class PublicKeyConverter:
    regex = "pk_[A-Za-z0-9_-]{1,37}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class ExternalIdConverter:
    """A site's own article id: anything but a slash, at most 200 characters."""

    regex = "[^/]{1,200}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PublicKeyConverter, "public_key")
register_converter(ExternalIdConverter, "external_id")

urlpatterns = [
    path("embed.js", views.widget_script, name="embed-script"),
    path(
        "embed/<public_key:public_key>/<external_id:external_id>/",
        views.thread_page,
        name="embed-thread-page",
    ),
    path(
        "api/v1/embed/<public_key:public_key>/articles/<external_id:external_id>/",
        views.EmbedArticleView.as_view(),
        name="embed-article",
    ),
    path(
        "api/v1/embed/<public_key:public_key>/articles/<external_id:external_id>/comments/",
        views.EmbedThreadView.as_view(),
        name="embed-thread",
    ),
    path(
        "api/v1/embed/<public_key:public_key>/comments/<id:comment_id>/",
        views.EmbedCommentStatusView.as_view(),
        name="embed-comment-status",
    ),
    path(
        "api/v1/site/articles/<external_id:external_id>/",
        views.SiteArticleView.as_view(),
        name="site-article",
    ),
    path(
        "api/v1/site/articles/<external_id:external_id>/comments/",
        views.SiteArticleCommentsView.as_view(),
        name="site-article-comments",
    ),
]
