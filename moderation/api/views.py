"""Thin views: an input serializer validates, a service acts, an output serializer answers."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from moderation import selectors, services
from moderation.api import serializers as s
from moderation.api import throttles
from moderation.api.permissions import CanModerateComments
from moderation.models import Comment


class CommentPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _client_ip(request: Request) -> str | None:
    """The submitter's address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says."""
    candidate = BaseThrottle().get_ident(request)
    try:
        return str(ipaddress.ip_address(candidate.strip()))
    except ValueError:
        return None


class CommentSubmitView(APIView):
    """A view whose POST submits a reader's comment, throttled by the submission's outcome."""

    def get_throttles(self) -> list[BaseThrottle]:
        if self.request.method == "POST":
            return [self.arrival]
        return [throttles.PublicReadThrottle()]

    @cached_property
    def arrival(self) -> throttles.SubmissionThrottle:
        """The invalid limit checked on arrival, holding the submit limit's history."""
        return throttles.SubmissionThrottle()

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        if request.method == "POST":
            throttles.record_submission(request, self, response.status_code)
        return super().finalize_response(request, response, *args, **kwargs)

    def submit(self, request: Request, *, article_id: int, status_path: Callable[[int], str]):
        """Validate, store and queue the comment; answer 202 with its private status URL."""
        data = s.CommentSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        throttles.check_submit_rate(request, self, self.arrival)
        fields = data.validated_data
        comment, token = services.comment_submit(
            article_id=article_id,
            author_name=fields["author_name"],
            author_email=fields["author_email"],
            body=fields["body"],
            parent_id=fields.get("parent"),
            author_url=fields.get("author_url", ""),
            ip_address=_client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            notify=fields["notify"],
            honeypot=fields["homepage"],
        )
        status_url = request.build_absolute_uri(status_path(comment.pk))
        submitted = {
            "id": comment.pk,
            "article": comment.article_id,
            "parent": comment.parent_id,
            # Always pending when it arrives (a honeypot's catch included, so a bot can't tell).
            "status": Comment.Status.PENDING,
            "created_at": comment.created_at,
            "token": token,
            "status_url": f"{status_url}?{urlencode({'token': token})}",
        }
        return Response(s.CommentSubmittedOutput(submitted).data, status=status.HTTP_202_ACCEPTED)


class ArticleCommentsView(CommentSubmitView):
    """POST submits a reader's comment; GET lists the article's published comments."""

    @extend_schema(
        request=s.CommentSubmitInput,
        responses={202: s.CommentSubmittedOutput},
        summary="Submit a comment (scored asynchronously)",
    )
    def post(self, request: Request, article_id: int) -> Response:
        return self.submit(
            request,
            article_id=article_id,
            status_path=lambda comment_id: reverse("comment-status", args=[comment_id]),
        )

    @extend_schema(
        responses={200: s.PublicCommentPage},
        operation_id="api_v1_articles_comments_list",
        summary="Published comments of an article, oldest first, each with its parent",
    )
    def get(self, request: Request, article_id: int) -> Response:
        paginator = CommentPagination()
        page = paginator.paginate_queryset(
            selectors.comments_published(article_id=article_id), request, view=self
        )
        return paginator.get_paginated_response(s.PublicCommentOutput(page, many=True).data)


class StatusPollView(APIView):
    """Throttled per token, and per address for polls that match no comment."""

    def get_throttles(self) -> list[BaseThrottle]:
        return throttles.status_poll_throttles(self.request)

    def finalize_response(self, request: Request, response: Response, *args, **kwargs) -> Response:
        throttles.record_status_poll(request, self, response.status_code)
        return super().finalize_response(request, response, *args, **kwargs)


class CommentStatusView(StatusPollView):
    """The author of a comment reads its status with the private token they were given."""

    @extend_schema(
        parameters=s.STATUS_TOKEN_PARAMETERS,
        responses={200: s.SubmitterCommentOutput},
        summary="A submitted comment's status, for its author",
    )
    def get(self, request: Request, comment_id: int) -> Response:
        query = s.StatusTokenInput.from_request(request)
        query.is_valid(raise_exception=True)
        comment = selectors.comment_for_author(
            comment_id=comment_id, token=query.validated_data["token"]
        )
        return Response(s.SubmitterCommentOutput(comment).data)


class ModerationQueueView(APIView):
    permission_classes = [CanModerateComments]

    @extend_schema(
        parameters=[s.ModerationQueueInput],
        responses={200: s.ModeratorCommentPage},
        operation_id="api_v1_moderation_comments_list",
        summary="Comments for moderators, newest first, filterable by status, site and article",
    )
    def get(self, request: Request) -> Response:
        query = s.ModerationQueueInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        paginator = CommentPagination()
        page = paginator.paginate_queryset(
            selectors.comments_for_moderation(
                user=request.user,
                status=filters.get("status"),
                site_id=filters.get("site"),
                article_id=filters.get("article"),
            ),
            request,
            view=self,
        )
        return paginator.get_paginated_response(s.ModeratorCommentOutput(page, many=True).data)


class ModerationCommentView(APIView):
    permission_classes = [CanModerateComments]

    @extend_schema(responses={200: s.ModeratorCommentDetailOutput}, summary="One comment, in full")
    def get(self, request: Request, comment_id: int) -> Response:
        comment = selectors.comment_for_moderator(comment_id=comment_id, user=request.user)
        return Response(s.ModeratorCommentDetailOutput(comment).data)


class _ModerationDecisionView(APIView):
    """A moderator's decision; subclasses name the service that makes it."""

    permission_classes = [CanModerateComments]
    decide: Callable[..., Comment]

    def post(self, request: Request, comment_id: int) -> Response:
        data = s.ModerationDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        self.decide(
            comment_id=comment_id, moderator=request.user, reason=data.validated_data["reason"]
        )
        comment = selectors.comment_for_moderator(comment_id=comment_id, user=request.user)
        return Response(s.ModeratorCommentDetailOutput(comment).data)


@extend_schema(
    request=s.ModerationDecisionInput,
    responses={200: s.ModeratorCommentDetailOutput},
    summary="Approve (publish) a comment",
)
class ModerationApproveView(_ModerationDecisionView):
    decide = staticmethod(services.comment_approve)


@extend_schema(
    request=s.ModerationDecisionInput,
    responses={200: s.ModeratorCommentDetailOutput},
    summary="Reject a comment",
)
class ModerationRejectView(_ModerationDecisionView):
    decide = staticmethod(services.comment_reject)


@extend_schema(
    request=s.ModerationDecisionInput,
    responses={200: s.ModeratorCommentDetailOutput},
    summary="Send a published or rejected comment back to the moderation queue (held)",
)
class ModerationSendBackView(_ModerationDecisionView):
    decide = staticmethod(services.comment_send_back)
