"""Perspective's request bodies, checked field by field; a failure names the field, as Google does.

Plain functions rather than DRF serializers: building nested DRF serializers deep-copies their
fields on every request, which cost more than scoring the comment with both models.
"""

from __future__ import annotations

from typing import Any

from moderation.perspective.errors import PerspectiveError

TEXT_TYPES = ("PLAIN_TEXT", "HTML", "TEXT_TYPE_UNSPECIFIED")
# Perspective's documented limit is 20 KB of UTF-8 per comment.
MAX_TEXT_BYTES = 20480


def _invalid(path: str, expected: str, value: Any) -> PerspectiveError:
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    return PerspectiveError(f"Invalid value at '{path}' ({expected}), {shown}")


def _string(data: dict, name: str, path: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"{path}{name}", "TYPE_STRING", value)
    return value


def _boolean(data: dict, name: str) -> bool:
    value = data.get(name, False)
    if isinstance(value, str) and value.lower() in {"true", "false"}:
        return value.lower() == "true"  # proto3 JSON accepts the quoted forms too
    if not isinstance(value, bool):
        raise _invalid(name, "TYPE_BOOL", value)
    return value


def _object(value: Any, path: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid(path, "TYPE_MESSAGE", value)
    return value


def _probability(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _invalid(path, "TYPE_FLOAT", value)
    if not 0.0 <= value <= 1.0:
        raise PerspectiveError(f"Invalid value at '{path}': {value} is not between 0 and 1.")
    return float(value)


def _text_entry(value: Any, path: str) -> dict:
    entry = _object(value, path)
    text = _string(entry, "text", f"{path}.") or ""
    text_type = _string(entry, "type", f"{path}.") or "PLAIN_TEXT"
    if text_type not in TEXT_TYPES:
        raise PerspectiveError(
            f"Invalid value at '{path}.type': {text_type!r}; use PLAIN_TEXT or HTML."
        )
    return {"text": text, "type": "HTML" if text_type == "HTML" else "PLAIN_TEXT"}


def _languages(data: dict) -> list[str]:
    value = data.get("languages") or []
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise _invalid("languages", "TYPE_STRING list", value)
    return value


def _common(data: Any) -> dict:
    """The comment and the fields analyze and suggestscore share."""
    if not isinstance(data, dict):
        raise PerspectiveError("Invalid JSON payload received. The body must be a JSON object.")
    comment = _text_entry(data.get("comment"), "comment")
    if not comment["text"].strip():
        raise PerspectiveError("Comment must be non-empty (comment.text).")
    if len(comment["text"].encode("utf-8")) > MAX_TEXT_BYTES:
        raise PerspectiveError(
            f"Comment text too long (comment.text): at most {MAX_TEXT_BYTES} bytes of UTF-8."
        )
    _object(data.get("context"), "context")  # accepted for compatibility, not scored
    body: dict[str, Any] = {"comment": comment, "languages": _languages(data)}
    for name in ("clientToken", "sessionId", "communityId"):
        value = _string(data, name, "")
        if value is not None:
            body[name] = value
    return body


def analyze_request(data: Any) -> dict:
    """A comments:analyze body, checked; the attributes' names are checked by the service."""
    body = _common(data)
    attributes = _object(data.get("requestedAttributes"), "requestedAttributes")
    requested: dict[str, dict] = {}
    for name, value in attributes.items():
        path = f"requestedAttributes.{name}"
        params = _object(value, path)
        checked: dict[str, Any] = {"scoreType": _string(params, "scoreType", f"{path}.") or ""}
        if params.get("scoreThreshold") is not None:
            checked["scoreThreshold"] = _probability(
                params["scoreThreshold"], f"{path}.scoreThreshold"
            )
        requested[name] = checked
    body["requestedAttributes"] = requested
    for name in ("spanAnnotations", "doNotStore", "dropUnsupportedAttributes"):
        body[name] = _boolean(data, name)
    return body


def _score(value: Any, path: str) -> dict:
    score = _object(value, path)
    if "value" not in score:
        raise PerspectiveError(f"Invalid value at '{path}.value': a score needs a value.")
    return {
        "value": _probability(score["value"], f"{path}.value"),
        "type": _string(score, "type", f"{path}.") or "",
    }


def _span(value: Any, path: str) -> dict:
    span = _object(value, path)
    for name in ("begin", "end"):
        offset = span.get(name)
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise _invalid(f"{path}.{name}", "TYPE_INT32", offset)
    return {"begin": span["begin"], "end": span["end"], "score": _score(span.get("score"), path)}


def suggest_request(data: Any) -> dict:
    """A comments:suggestscore body, checked."""
    body = _common(data)
    scores = _object(data.get("attributeScores"), "attributeScores")
    checked: dict[str, dict] = {}
    for name, value in scores.items():
        path = f"attributeScores.{name}"
        entry = _object(value, path)
        item: dict[str, Any] = {}
        if entry.get("summaryScore") is not None:
            item["summaryScore"] = _score(entry["summaryScore"], f"{path}.summaryScore")
        spans = entry.get("spanScores") or []
        if not isinstance(spans, list):
            raise _invalid(f"{path}.spanScores", "TYPE_MESSAGE list", spans)
        if spans:
            item["spanScores"] = [
                _span(span, f"{path}.spanScores.{i}") for i, span in enumerate(spans)
            ]
        checked[name] = item
    body["attributeScores"] = checked
    return body
