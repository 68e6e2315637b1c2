"""The widget's public API (keyed by a site's public key), article upsert, the script and page."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from moderation import selectors as core_selectors
from moderation.api import serializers as api_s
from moderation.api import throttles
from moderation.api.views import CommentSubmitView, StatusPollView
from moderation.embed import selectors
from moderation.embed import serializers as s
from moderation.embed import services as embed_services
from moderation.errors import NotFoundError
from moderation.keys.authentication import (
    HasSiteApiKey,
    SiteApiKeyAuthentication,
    authenticated_site,
)

WIDGET_SCRIPT = Path(__file__).resolve().parent.parent / "static" / "moderation" / "embed.js"


def _thread(request: Request, *, article, query: dict) -> dict:
    thread = selectors.article_thread(
        article=article,
        max_depth=article.site.thread_max_depth,
        order=query["order"],
        page=query["page"],
        page_size=query["page_size"],
    )
    next_url = None
    if thread.has_more:
        params = {**query, "page": thread.page + 1}
        params.pop("missing", None)
        next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
    return s.ThreadOutput.build(
        article=article, thread=thread, order=query["order"], next_url=next_url
    )


class EmbedThreadView(CommentSubmitView):
    """GET the article's published thread; POST a reader's comment (both for the widget)."""

    @extend_schema(
        parameters=[s.ThreadQueryInput],
        responses={200: s.ThreadOutput},
        summary="An article's published threads by the site's public key and its own article id",
        tags=["embed"],
    )
    def get(self, request: Request, public_key: str, external_id: str) -> Response:
        query = s.ThreadQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        site = selectors.site_by_public_key(public_key=public_key)
        fields = query.validated_data
        try:
            article = selectors.article_by_external_id(site=site, external_id=external_id)
        except NotFoundError:
            if fields["missing"] != "empty":
                raise
            # The widget's first question about an article: not knowing it yet is no error.
            unknown = s.ThreadOutput.unknown_article(
                can_create=site.embed_auto_create_articles,
                max_depth=site.thread_max_depth,
                order=fields["order"],
            )
            return Response(unknown)
        return Response(_thread(request, article=article, query=fields))

    @extend_schema(
        request=api_s.CommentSubmitInput,
        responses={202: api_s.CommentSubmittedOutput},
        summary="Submit a comment from the widget (scored asynchronously)",
        tags=["embed"],
    )
    def post(self, request: Request, public_key: str, external_id: str) -> Response:
        site = selectors.site_by_public_key(public_key=public_key)
        article = selectors.article_by_external_id(site=site, external_id=external_id)
        return self.submit(
            request,
            article_id=article.pk,
            status_path=lambda comment_id: reverse(
                "embed-comment-status", args=[public_key, comment_id]
            ),
        )


class EmbedArticleView(APIView):
    """The widget's first load of an unknown article id creates it, where the site allows."""

    throttle_scope = "article_auto_create"

    def get_throttles(self):
        if self.request.method == "POST":
            return [ScopedRateThrottle()]
        return [throttles.PublicReadThrottle()]

    @extend_schema(
        responses={200: s.ArticleOutput}, summary="An article by its site's id", tags=["embed"]
    )
    def get(self, request: Request, public_key: str, external_id: str) -> Response:
        site = selectors.site_by_public_key(public_key=public_key)
        article = selectors.article_by_external_id(site=site, external_id=external_id)
        return Response(s.ArticleOutput(article).data)

    @extend_schema(
        request=s.ArticleAutoCreateInput,
        responses={200: s.ArticleOutput, 201: s.ArticleOutput},
        summary="Create an article from the widget (sites that allow it, from allowed origins)",
        description=(
            "Called by the widget when it loads for an article id the service does not know. "
            "The site must allow auto-creation, the request's Origin must be one of the site's "
            "allowed origins and so must the URL. An existing article is returned unchanged."
        ),
        examples=[
            OpenApiExample(
                "First load of a new article",
                request_only=True,
                value={
                    "title": "Council approves the new tram line",
                    "url": "https://news.example.com/city/tram-line-approved",
                },
            )
        ],
        tags=["embed"],
    )
    def post(self, request: Request, public_key: str, external_id: str) -> Response:
        data = s.ArticleAutoCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        site = selectors.site_by_public_key(public_key=public_key)
        article, created = embed_services.article_auto_create(
            site=site,
            external_id=external_id,
            title=data.validated_data["title"],
            url=data.validated_data["url"],
            request_origin=request.headers.get("Origin", ""),
        )
        return Response(
            s.ArticleOutput(article).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class EmbedCommentStatusView(StatusPollView):
    """The widget follows its reader's own comment with the private token."""

    @extend_schema(
        parameters=api_s.STATUS_TOKEN_PARAMETERS,
        responses={200: api_s.SubmitterCommentOutput},
        summary="A submitted comment's status, for its author (widget route)",
        tags=["embed"],
    )
    def get(self, request: Request, public_key: str, comment_id: int) -> Response:
        query = api_s.StatusTokenInput.from_request(request)
        query.is_valid(raise_exception=True)
        comment = core_selectors.comment_for_author(
            comment_id=comment_id, token=query.validated_data["token"], public_key=public_key
        )
        return Response(api_s.SubmitterCommentOutput(comment).data)


_UPSERT_EXAMPLE = {
    "title": "Council approves the new tram line",
    "url": "https://news.example.com/city/tram-line-approved",
    "published_at": "2026-11-28T09:30:00Z",
    "comments_open": True,
    "comments_close_at": "2026-12-12T09:30:00Z",
}


class SiteArticleView(APIView):
    """Server to server: a site creates or updates its article by its own id."""

    authentication_classes = [SiteApiKeyAuthentication]
    permission_classes = [HasSiteApiKey]

    @extend_schema(
        request=s.ArticleUpsertInput,
        responses={200: s.ArticleOutput, 201: s.ArticleOutput},
        summary="Create or update an article by the site's own id (secret API key)",
        description=(
            "Authenticate with one of the site's secret keys: `Authorization: Bearer sk_…` "
            "(or `X-API-Key: sk_…`). 201 when the article was created, 200 when updated."
        ),
        examples=[
            OpenApiExample("An article with a closing date", value=_UPSERT_EXAMPLE),
            OpenApiExample(
                "Closing comments now",
                request_only=True,
                value={**_UPSERT_EXAMPLE, "comments_open": False, "comments_close_at": None},
            ),
        ],
        tags=["site"],
    )
    def put(self, request: Request, external_id: str) -> Response:
        data = s.ArticleUpsertInput(data=request.data)
        data.is_valid(raise_exception=True)
        article, created = embed_services.article_upsert(
            site=authenticated_site(request), external_id=external_id, **data.validated_data
        )
        return Response(
            s.ArticleOutput(article).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        responses={200: s.ArticleOutput},
        summary="An article by the site's own id (secret API key)",
        tags=["site"],
    )
    def get(self, request: Request, external_id: str) -> Response:
        article = selectors.article_by_external_id(
            site=authenticated_site(request), external_id=external_id
        )
        return Response(s.ArticleOutput(article).data)


class SiteArticleCommentsView(APIView):
    """Server to server: an article's comments in every status, with counts, paginated."""

    authentication_classes = [SiteApiKeyAuthentication]
    permission_classes = [HasSiteApiKey]

    @extend_schema(
        parameters=[s.SiteCommentsQueryInput],
        responses={200: s.SiteCommentsOutput},
        summary="An article's comments with their status and counts (secret API key)",
        description=(
            "Every comment of the article, oldest first, whatever its status (or only one with "
            "`status=`), and how many are in each status. Commenters' e-mail and IP addresses "
            "are never included."
        ),
        tags=["site"],
    )
    def get(self, request: Request, external_id: str) -> Response:
        query = s.SiteCommentsQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        article = selectors.article_by_external_id(
            site=authenticated_site(request), external_id=external_id
        )
        comments = selectors.article_comments_for_site(
            article=article, status=query.validated_data.get("status", "")
        )
        paginator = Paginator(comments, query.validated_data["page_size"])
        number = query.validated_data["page"]
        page = paginator.page(number) if number <= paginator.num_pages else None

        def page_url(target: int) -> str:
            params = {**request.query_params.dict(), "page": target}
            return request.build_absolute_uri(f"{request.path}?{urlencode(params)}")

        return Response(
            {
                "article": s.ArticleOutput(article).data,
                "counts": selectors.article_status_counts(article=article),
                "count": paginator.count,
                "next": page_url(number + 1) if number < paginator.num_pages else None,
                "previous": page_url(number - 1) if number > 1 else None,
                "results": s.SiteCommentOutput(page.object_list if page else [], many=True).data,
            }
        )


def widget_script(request: HttpRequest) -> FileResponse:
    """/embed.js: the widget, at the short address publishers paste into their pages."""
    response = FileResponse(WIDGET_SCRIPT.open("rb"), content_type="text/javascript")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # a public script; lets pages use integrity
    return response


def thread_page(request: HttpRequest, public_key: str, external_id: str) -> HttpResponse:
    """The thread as a plain HTML page, for readers without JavaScript and for search engines."""
    if not throttles.public_read_allowed(request):
        return HttpResponse(
            "Too many requests: try again in a minute.", status=429, content_type="text/plain"
        )
    query = s.ThreadQueryInput(data=request.GET)
    if not query.is_valid():
        raise Http404("No such page of comments.")
    try:
        site = selectors.site_by_public_key(public_key=public_key)
        article = selectors.article_by_external_id(site=site, external_id=external_id)
    except NotFoundError as error:
        raise Http404(error.message) from None
    params = {name: value for name, value in query.validated_data.items() if name != "missing"}
    thread = selectors.article_thread(article=article, max_depth=site.thread_max_depth, **params)
    next_query = urlencode({**params, "page": thread.page + 1}) if thread.has_more else ""
    previous_query = urlencode({**params, "page": thread.page - 1}) if thread.page > 1 else ""
    return render(
        request,
        "moderation/embed/thread_page.html",
        {
            "site": site,
            "article": article,
            "thread": thread,
            "next_query": next_query,
            "previous_query": previous_query,
        },
    )
