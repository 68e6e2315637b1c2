"""Input serializers validate requests; output serializers decide what each audience may see."""

from __future__ import annotations

import functools
from typing import Any

from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema_field
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

from moderation import scoring
from moderation.api import fields
from moderation.models import Comment, ModerationEvent

MAX_ID = 2**63 - 1
HONEYPOT = "honeypot"  # the decision label of a comment the honeypot caught


class FieldsBuiltOnce(serializers.Serializer):
    """A serializer whose instances share fields built once per process.

    DRF builds a serializer's fields anew for every instance, a deep copy of each declared field
    that re-runs its __init__: on a comment submission, its input's and answer's fields cost
    more CPU than validating and representing with them. Fields keep no state between uses
    (validation and representation only read them), so instances can share one set, bound to a
    first instance. Only for serializers that read no context and declare no nested serializers.
    """

    @cached_property
    def fields(self) -> BindingDict:
        return _fields_built_once(type(self))


@functools.cache
def _fields_built_once(serializer_class: type[FieldsBuiltOnce]) -> BindingDict:
    return serializers.Serializer.fields.func(serializer_class())  # type: ignore[attr-defined]


# --- input -----------------------------------------------------------------------------------
class CommentSubmitInput(FieldsBuiltOnce):
    author_name = fields.NameField(max_length=100)
    author_email = fields.StrictEmailField(max_length=254)
    body = fields.BodyField(max_length=Comment.BODY_MAX_LENGTH)
    # `parent` is also Field.parent in the stubs; declared fields leave the class at runtime.
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False, allow_null=True, min_value=1, max_value=MAX_ID
    )
    author_url = fields.PublicWebURLField(required=False, allow_blank=True, max_length=500)
    notify = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Email the author when the comment is published and when someone replies "
        "(after they confirm their address by email).",
    )
    homepage = fields.StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Leave empty. A trap for bots (the widget hides it from people): a comment "
        "with it filled is accepted as usual and never published.",
    )


class StatusTokenInput(serializers.Serializer):
    token = fields.StrictCharField(max_length=100)

    @classmethod
    def from_request(cls, request: Any) -> StatusTokenInput:
        """The token from the X-Status-Token header (kept out of access logs), else ?token=."""
        token = request.headers.get(STATUS_TOKEN_HEADER) or request.query_params.get("token")
        return cls(data={} if token is None else {"token": token})


STATUS_TOKEN_HEADER = "X-Status-Token"  # noqa: S105 - a header name, not a secret
STATUS_TOKEN_PARAMETERS = [
    OpenApiParameter(
        STATUS_TOKEN_HEADER,
        str,
        OpenApiParameter.HEADER,
        description="The comment's private token (preferred: a header stays out of access logs).",
    ),
    OpenApiParameter(
        "token", str, description="The same token in the query string, if the header is not sent."
    ),
]


class ModerationDecisionInput(serializers.Serializer):
    reason = fields.StrictCharField(required=False, allow_blank=True, max_length=1000, default="")


class ModerationQueueInput(serializers.Serializer):
    status = serializers.ChoiceField(choices=Comment.Status.choices, required=False)
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    article = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


# --- output ----------------------------------------------------------------------------------
class CommentSubmittedOutput(FieldsBuiltOnce):
    """The 202 answer to a submission, built from a dict: the comment plus its private token."""

    id = serializers.IntegerField()
    article = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    created_at = serializers.DateTimeField()
    token = serializers.CharField(help_text="Private: lets the author read this comment's status.")
    status_url = serializers.URLField(
        help_text="Where the author reads the status (has the token)."
    )


class PublicCommentOutput(serializers.ModelSerializer):
    """What any reader may see: never the email, IP address or user agent."""

    class Meta:
        model = Comment
        fields = ["id", "parent", "author_name", "author_url", "body", "created_at"]


class SubmitterCommentOutput(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "article", "parent", "status", "author_name", "body", "created_at"]

    @extend_schema_field(serializers.ChoiceField(choices=Comment.Status.choices))
    def get_status(self, comment: Comment) -> str:
        # A bot caught by the honeypot learns nothing: its comment stays "pending" to it.
        if comment.decision_label == HONEYPOT:
            return Comment.Status.PENDING
        return comment.status


class ModerationEventOutput(serializers.ModelSerializer):
    moderator: serializers.StringRelatedField[Any] = serializers.StringRelatedField()

    class Meta:
        model = ModerationEvent
        fields = ["from_status", "to_status", "actor", "moderator", "label", "reason", "created_at"]


class ModeratorCommentOutput(serializers.ModelSerializer):
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "article",
            "parent",
            "status",
            "author_name",
            "author_email",
            "author_url",
            "body",
            "ip_address",
            "user_agent",
            "created_at",
            "spam_score",
            "toxicity_score",
            "scores",
            "model_versions",
            "explanation",
            "decision_reason",
            "decided_at",
        ]

    @extend_schema_field(serializers.JSONField())
    def get_explanation(self, comment: Comment) -> dict:
        # A batch stores no explanation for a published comment: it is computed on read.
        return scoring.comment_explanation(comment)


class ModeratorCommentDetailOutput(ModeratorCommentOutput):
    events = ModerationEventOutput(many=True, read_only=True)

    class Meta(ModeratorCommentOutput.Meta):
        fields = [*ModeratorCommentOutput.Meta.fields, "events"]


class _Page(serializers.Serializer):
    """A page of CommentPagination: the count, the neighbours' URLs and the results."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


class PublicCommentPage(_Page):
    results = PublicCommentOutput(many=True)


class ModeratorCommentPage(_Page):
    results = ModeratorCommentOutput(many=True)
