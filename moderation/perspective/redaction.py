"""Keeps API keys out of the logs: `key=...` in any logged URL becomes `key=REDACTED`."""

from __future__ import annotations

import logging
import re

# key= (Google's API key parameter) and the OAuth names Google's clients may also send.
_SECRET_PARAMETER = re.compile(r"([?&;](?:key|access_token|oauth_token)=)[^&;\s\"']*", re.I)
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
