"""Keeps secrets out of the logs: `key=...` and `token=...` in any logged URL become `=REDACTED`."""

from __future__ import annotations

import logging
import re

# key= (Google's API key parameter), the OAuth names Google's clients may also send, and token=
# (a comment author's private status token, on the comment API and the widget's routes).
_SECRET_PARAMETER = re.compile(r"([?&;](?:key|access_token|oauth_token|token)=)[^&;\s\"']*", re.I)
# The loggers that write request lines: Django's runserver, Django's 4xx/5xx warnings, gunicorn.
REQUEST_LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")


def redact(message: str) -> str:
    return _SECRET_PARAMETER.sub(r"\1REDACTED", message)


class RedactApiKeys(logging.Filter):
    """Rewrites the record's message with every key parameter redacted; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install() -> None:
    """Attach the filter to the request loggers (filters on a logger see only its own records)."""
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactApiKeys) for f in logger.filters):
            logger.addFilter(RedactApiKeys())
