"""The desk's inputs: the queue's filters and a decision on one or more comments."""

from __future__ import annotations

from rest_framework import serializers

from moderation.api import fields
from moderation.desk.selectors import BANDS
from moderation.models import Comment
from moderation.policy.verdict import RULE_WORDS

Status = Comment.Status

# What each desk action does: the status it moves to and the label its event carries.
ACTIONS: dict[str, tuple[str, str]] = {
    "approve": (Status.APPROVED, ""),
    "spam": (Status.REJECTED, "spam"),
    "abuse": (Status.REJECTED, "abuse"),
    "send_back": (Status.HELD, ""),
}
DEFAULT_NOTES = {
    "approve": "Approved by a moderator.",
    "spam": "Rejected as spam by a moderator.",
    "abuse": "Rejected as abuse by a moderator.",
    "send_back": "Sent back to the moderation queue by a moderator.",
}
MAX_BULK = 500


class QueueFilterInput(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[*Status.values, "all"], required=False, default=Status.HELD
    )
    site = serializers.IntegerField(min_value=1, required=False)
    article = serializers.IntegerField(min_value=1, required=False)
    band = serializers.ChoiceField(choices=list(BANDS), required=False)
    rule = serializers.ChoiceField(choices=list(RULE_WORDS), required=False)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    q = serializers.CharField(max_length=200, required=False, trim_whitespace=True)
    page = serializers.IntegerField(min_value=1, required=False, default=1)
    per_page = serializers.IntegerField(min_value=1, max_value=100, required=False, default=25)

    def get_fields(self) -> dict[str, serializers.Field]:
        # Declared here rather than as a class attribute: `label` on a serializer class would
        # shadow Field.label (a field's display name), which every Serializer also is.
        fields = super().get_fields()
        fields["label"] = serializers.RegexField(r"^[a-z_]{1,32}$", required=False)
        return fields

    def to_internal_value(self, data):
        # An empty query-string value ("?site=") means "no filter", as the form submits it.
        return super().to_internal_value({k: v for k, v in data.items() if v != ""})


class DecideInput(serializers.Serializer):
    comment_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=MAX_BULK
    )
    action = serializers.ChoiceField(choices=list(ACTIONS))
    note = fields.StrictCharField(max_length=1000, required=False, allow_blank=True, default="")


# --- output (for the schema: the views build these dicts) -----------------------------------
class DeskCommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_display = serializers.CharField()
    decision_reason = serializers.CharField()


class DecidedCommentOutput(DeskCommentOutput):
    # Declared in get_fields: a `label` class attribute would shadow Field.label (see above).
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["label"] = serializers.CharField(help_text="spam, abuse, or empty.")
        return fields


class UndoneCommentOutput(DeskCommentOutput):
    event_id = serializers.IntegerField(help_text="The undo's own moderation event.")


class RefusedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    message = serializers.CharField()


class SiteCountsOutput(serializers.Serializer):
    site_id = serializers.IntegerField()
    name = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())


class CountsOutput(serializers.Serializer):
    sites = SiteCountsOutput(many=True)
    totals = serializers.DictField(child=serializers.IntegerField())


class DecideOutput(serializers.Serializer):
    decided = DecidedCommentOutput(many=True)
    refused = RefusedOutput(many=True)
    counts = CountsOutput()


class UndoOutput(serializers.Serializer):
    undone = UndoneCommentOutput()
    counts = CountsOutput()
