"""Perspective's request bodies, validated; a failure is a Google-shaped INVALID_ARGUMENT."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from moderation.perspective.errors import PerspectiveError

TEXT_TYPES = ("PLAIN_TEXT", "HTML")
# Perspective's documented limit is 20 KB of UTF-8 per comment.
MAX_TEXT_BYTES = 20480


class TextEntrySerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    type = serializers.ChoiceField(choices=TEXT_TYPES, required=False, default="PLAIN_TEXT")


class ContextSerializer(serializers.Serializer):
    entries = TextEntrySerializer(many=True, required=False)
    articleAndParentComment = serializers.DictField(required=False)


class AttributeParametersSerializer(serializers.Serializer):
    scoreType = serializers.CharField(required=False, allow_blank=True)
    scoreThreshold = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)


class _RequestSerializer(serializers.Serializer):
    comment = TextEntrySerializer(required=False)
    context = ContextSerializer(required=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    clientToken = serializers.CharField(required=False, allow_blank=True)
    sessionId = serializers.CharField(required=False, allow_blank=True)
    communityId = serializers.CharField(required=False, allow_blank=True)


class AnalyzeRequestSerializer(_RequestSerializer):
    requestedAttributes = serializers.DictField(
        child=AttributeParametersSerializer(), required=False
    )
    spanAnnotations = serializers.BooleanField(required=False, default=False)
    doNotStore = serializers.BooleanField(required=False, default=False)
    dropUnsupportedAttributes = serializers.BooleanField(required=False, default=False)


class ScoreSerializer(serializers.Serializer):
    value = serializers.FloatField(min_value=0.0, max_value=1.0)
    type = serializers.CharField(required=False, allow_blank=True)


class SpanScoreSerializer(serializers.Serializer):
    begin = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=0)
    score = ScoreSerializer()


class AttributeScoresSerializer(serializers.Serializer):
    summaryScore = ScoreSerializer(required=False)
    spanScores = SpanScoreSerializer(many=True, required=False)


class SuggestScoreRequestSerializer(_RequestSerializer):
    attributeScores = serializers.DictField(child=AttributeScoresSerializer(), required=False)


def _first_error(errors: Any, path: str = "") -> tuple[str, str]:
    """The first failing field of DRF's nested errors, as a dotted path, and its message."""
    if isinstance(errors, dict):
        key, inner = next(iter(errors.items()))
        return _first_error(inner, f"{path}.{key}" if path else str(key))
    if isinstance(errors, list) and errors:
        if all(isinstance(item, str) for item in errors):
            return path, str(errors[0])
        for index, inner in enumerate(errors):
            if inner:
                return _first_error(inner, f"{path}.{index}" if path else str(index))
    return path, str(errors)


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict:
    """The request body checked against the contract, or INVALID_ARGUMENT naming the field."""
    if not isinstance(data, dict):
        raise PerspectiveError("Invalid JSON payload received. The body must be a JSON object.")
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        field, message = _first_error(serializer.errors)
        raise PerspectiveError(f"Invalid value at '{field}': {message}")
    body = dict(serializer.validated_data)
    comment = body.get("comment") or {}
    text = comment.get("text", "")
    if not text.strip():
        raise PerspectiveError("Comment must be non-empty (comment.text).")
    if len(text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise PerspectiveError(
            f"Comment text too long (comment.text): at most {MAX_TEXT_BYTES} bytes of UTF-8."
        )
    return body
