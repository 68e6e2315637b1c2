"""Every refusal under /v1alpha1/ in Google's shape, with the HTTP status Google uses."""

import time
from types import SimpleNamespace

import pytest
from django.utils import timezone

from moderation.keys.services import api_key_revoke
from moderation.perspective.serializers import MAX_TEXT_BYTES
from tests.moderation.perspective.conftest import ANALYZE, SUGGEST

pytestmark = pytest.mark.django_db

VALID = {"comment": {"text": "hello there"}, "requestedAttributes": {"TOXICITY": {}}}


def _error(response, code: int, status: str) -> str:
    assert response.status_code == code, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "status"}
    assert body["error"]["code"] == code and body["error"]["status"] == status
    return body["error"]["message"]


def test_malformed_json_is_an_invalid_argument(post):
    response = post(ANALYZE, b'{"comment": {"text": "hi"')
    message = _error(response, 400, "INVALID_ARGUMENT")
    assert message.startswith("Invalid JSON payload received.")
    assert response.headers["X-Model-Versions"] == ""  # no model scored it


def test_a_body_that_is_not_an_object_is_an_invalid_argument(post):
    assert "JSON object" in _error(post(ANALYZE, [1, 2]), 400, "INVALID_ARGUMENT")


def test_a_body_sent_as_another_content_type_is_an_invalid_argument(client, secret):
    response = client.post(f"{ANALYZE}?key={secret}", "text=hi", content_type="text/plain")
    assert "application/json" in _error(response, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "comment",
    [None, {}, {"text": ""}, {"text": "   \n"}, {"type": "PLAIN_TEXT"}],
    ids=["no comment", "empty comment", "empty text", "blank text", "no text"],
)
def test_missing_or_empty_text_is_an_invalid_argument(post, comment):
    body = {"requestedAttributes": {"TOXICITY": {}}}
    if comment is not None:
        body["comment"] = comment
    assert "comment.text" in _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")


def test_text_over_perspectives_20_kb_is_an_invalid_argument(post):
    # 20 KB of UTF-8 is fewer characters when they are accented: the limit counts bytes.
    at_limit = "é" * (MAX_TEXT_BYTES // 2)
    ok = post(ANALYZE, {**VALID, "comment": {"text": at_limit}, "languages": ["en"]})
    assert ok.status_code == 200
    over = {**VALID, "comment": {"text": at_limit + "a"}}
    assert "too long" in _error(post(ANALYZE, over), 400, "INVALID_ARGUMENT")


def test_a_wrong_field_type_names_the_field(post):
    body = {**VALID, "requestedAttributes": {"TOXICITY": {"scoreThreshold": "high"}}}
    message = _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")
    assert "requestedAttributes.TOXICITY.scoreThreshold" in message
    body = {**VALID, "comment": {"text": "hi", "type": "MARKDOWN"}}
    assert "comment.type" in _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")


def test_no_requested_attributes_is_an_invalid_argument(post):
    body = {"comment": {"text": "hello"}}
    assert "requestedAttributes" in _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")


def test_an_unknown_attribute_is_an_invalid_argument_even_when_dropping(post):
    body = {**VALID, "requestedAttributes": {"TOXICITY": {}, "NICENESS": {}}}
    assert "NICENESS" in _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")
    body["dropUnsupportedAttributes"] = True
    assert "NICENESS" in _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize("score_type", ["PERCENTILE", "STD_DEV_SCORE", "RAW", "BOGUS"])
def test_a_score_type_other_than_probability_is_an_invalid_argument(post, score_type):
    body = {**VALID, "requestedAttributes": {"TOXICITY": {"scoreType": score_type}}}
    message = _error(post(ANALYZE, body), 400, "INVALID_ARGUMENT")
    assert "requestedAttributes.TOXICITY.scoreType" in message and score_type in message


def test_a_missing_key_is_permission_denied(post):
    message = _error(post(ANALYZE, VALID, key=None), 403, "PERMISSION_DENIED")
    assert "missing a valid API key" in message


def test_a_wrong_key_is_an_invalid_argument_as_google_answers(post):
    message = _error(post(ANALYZE, VALID, key="sk_not-a-real-key"), 400, "INVALID_ARGUMENT")
    assert message.startswith("API key not valid.")


def test_a_revoked_key_is_refused_and_says_so(post, key):
    api_key, secret = key
    api_key_revoke(api_key_id=api_key.pk)
    message = _error(post(ANALYZE, VALID, key=secret), 400, "INVALID_ARGUMENT")
    assert message.startswith("API key not valid.") and "revoked" in message
    assert _error(post(SUGGEST, VALID, key=secret), 400, "INVALID_ARGUMENT")


def test_googles_key_header_is_accepted_too(client, secret):
    response = client.post(
        ANALYZE, VALID, content_type="application/json", headers={"X-Goog-Api-Key": secret}
    )
    assert response.status_code == 200


def test_a_used_key_records_when_it_was_last_used(post, key):
    api_key, _ = key
    assert api_key.last_used_at is None
    post(ANALYZE, VALID)
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None and api_key.last_used_at <= timezone.now()


def test_unknown_paths_and_methods_are_not_found_in_googles_shape(client, post):
    assert _error(client.get(ANALYZE), 404, "NOT_FOUND")
    assert _error(post("/v1alpha1/comments:classify", VALID), 404, "NOT_FOUND")
    assert _error(client.get("/$discovery/rest?version=v1"), 404, "NOT_FOUND")


def test_the_key_is_checked_before_the_body(post):
    _error(post(ANALYZE, b"not json", key=None), 403, "PERMISSION_DENIED")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"comment": "hello"}, "comment"),
        ({"comment": {"text": 42}}, "comment.text"),
        ({"languages": "en"}, "languages"),
        ({"doNotStore": "sometimes"}, "doNotStore"),
        ({"spanAnnotations": 1}, "spanAnnotations"),
        ({"requestedAttributes": ["TOXICITY"]}, "requestedAttributes"),
        ({"requestedAttributes": {"TOXICITY": {"scoreThreshold": 1.5}}}, "scoreThreshold"),
        ({"requestedAttributes": {"TOXICITY": {"scoreThreshold": True}}}, "scoreThreshold"),
        ({"clientToken": 7}, "clientToken"),
        ({"context": "an article"}, "context"),
    ],
)
def test_each_malformed_field_is_named(post, change, field):
    message = _error(post(ANALYZE, {**VALID, **change}), 400, "INVALID_ARGUMENT")
    assert field in message


def test_malformed_suggested_spans_are_named(post):
    spans = [{"begin": -1, "end": 3, "score": {"value": 1}}]
    body = {**VALID, "attributeScores": {"TOXICITY": {"spanScores": spans}}}
    message = _error(post(SUGGEST, body), 400, "INVALID_ARGUMENT")
    assert "attributeScores.TOXICITY.spanScores.0.begin" in message


def test_a_checked_key_is_trusted_for_a_moment_then_checked_again(
    post, key, settings, monkeypatch, django_assert_num_queries
):
    from moderation.perspective import services

    settings.PERSPECTIVE_KEY_CACHE_SECONDS = 2
    api_key, _ = key
    now = [1000.0]
    # Only the services module's clock: Django's own timing stays real.
    monkeypatch.setattr(services, "time", SimpleNamespace(monotonic=lambda: now[0], time=time.time))
    # The flush clock is read on the fake clock too: keep the real one for the tests after this.
    monkeypatch.setattr(services, "_last_flush", [now[0]])
    assert post(ANALYZE, VALID).status_code == 200
    with django_assert_num_queries(0):
        assert post(ANALYZE, {**VALID, "doNotStore": True}).status_code == 200
    api_key_revoke(api_key_id=api_key.pk)
    now[0] += 2.0
    assert post(ANALYZE, VALID).status_code == 400


def test_a_body_too_large_to_read_is_refused_unread(post):
    from moderation.perspective.views import MAX_BODY_BYTES

    body = {**VALID, "context": {"entries": [{"text": "x" * MAX_BODY_BYTES}]}}
    message = _error(post(ANALYZE, body), 413, "INVALID_ARGUMENT")
    assert "payload size" in message


def test_a_deeply_nested_body_is_an_invalid_argument(post):
    deep = b'{"comment": {"text": "hi"}, "context": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    message = _error(post(ANALYZE, deep), 400, "INVALID_ARGUMENT")
    assert message.startswith("Invalid JSON payload received.")


def test_an_oversized_analyze_request_is_googles_413(client, secret):
    huge = b'{"comment": {"text": "' + b"x" * (3 * 1024 * 1024) + b'"}}'
    response = client.post(f"{ANALYZE}?key={secret}", huge, content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == 413 and error["status"] == "INVALID_ARGUMENT"
    assert "exceeds the limit" in error["message"]
