"""The `key` query parameter never reaches a log line."""

import logging
from pathlib import Path

import pytest
from django.conf import settings

from moderation.perspective.redaction import REQUEST_LOGGERS, RedactApiKeys, redact
from tests.moderation.perspective.conftest import ANALYZE

SECRET = "sk_abcDEF123-_xyz"


def test_redact_replaces_the_key_and_keeps_the_rest():
    line = f'"POST /v1alpha1/comments:analyze?alt=json&key={SECRET}&prettyPrint=false HTTP/1.1"'
    assert redact(line) == (
        '"POST /v1alpha1/comments:analyze?alt=json&key=REDACTED&prettyPrint=false HTTP/1.1"'
    )
    assert redact(f"/x?key={SECRET}") == "/x?key=REDACTED"
    assert redact("/x?monkey=banana") == "/x?monkey=banana"


def test_redact_replaces_a_comment_authors_status_token():
    line = '"GET /api/v1/embed/pk_abc/comments/7/?token=AlDQ-x_9&order=oldest HTTP/1.1" 200 12'
    assert redact(line) == (
        '"GET /api/v1/embed/pk_abc/comments/7/?token=REDACTED&order=oldest HTTP/1.1" 200 12'
    )
    assert redact("/api/v1/comments/7/?order=new&token=AlDQ") == (
        "/api/v1/comments/7/?order=new&token=REDACTED"
    )


def test_the_widget_sends_the_status_token_in_a_header_not_the_url():
    widget = (Path(settings.BASE_DIR) / "moderation/static/moderation/embed.js").read_text()
    assert '"X-Status-Token": mine.token' in widget
    assert "token=" not in widget


@pytest.mark.parametrize("name", REQUEST_LOGGERS)
def test_every_request_logger_redacts_what_it_writes(name, caplog):
    caplog.set_level(logging.INFO, logger=name)
    logger = logging.getLogger(name)
    # django.server's format with positional arguments, gunicorn's access format with a dict.
    logger.info('"%s" %s %s', f"POST {ANALYZE}?key={SECRET} HTTP/1.1", 200, 123)
    logger.info("%(r)s %(s)s", {"r": f"POST {ANALYZE}?key={SECRET} HTTP/1.1", "s": "200"})
    messages = [r.getMessage() for r in caplog.records if r.name == name]
    assert len(messages) == 2
    assert all(SECRET not in m and "key=REDACTED" in m for m in messages)


def test_the_filter_is_installed_once_per_logger():
    for name in REQUEST_LOGGERS:
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, RedactApiKeys) for f in filters) == 1


@pytest.mark.django_db
def test_a_refused_request_logs_no_key(client, caplog):
    caplog.set_level(logging.DEBUG)
    response = client.post(f"{ANALYZE}?key={SECRET}", "{}", content_type="application/json")
    assert response.status_code == 400
    assert caplog.records, "django.request logs the 400"
    assert not any(SECRET in r.getMessage() for r in caplog.records)
