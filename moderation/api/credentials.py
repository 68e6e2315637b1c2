"""Which credential a route takes, and what to say when a request sends another kind."""

from __future__ import annotations

from rest_framework.authentication import get_authorization_header
from rest_framework.request import Request

MODERATOR_TOKEN = "a moderator's API token, as 'Authorization: Token …'"  # noqa: S105 - words, not a secret
SITE_SECRET_KEY = "a site's secret API key, as 'Authorization: Bearer sk_…'"  # noqa: S105 - words, not a secret


def sent_credential(request: Request) -> str:
    """What kind of credential the request carries, in words ("" if none)."""
    header = get_authorization_header(request).decode("latin-1").strip()
    scheme, _, value = header.partition(" ")
    value = value.strip() or request.headers.get("X-API-Key", "")
    if value.startswith("sk_"):
        return "a site's secret key (sk_…)"
    if value.startswith("pk_"):
        return "a site's public key (pk_…), which only names a site in the widget's routes"
    if scheme.lower() == "token" and value:
        return "a moderator's API token"
    if scheme:
        return f"an 'Authorization: {scheme} …' header"
    return ""


def expected_message(expected: str, request: Request) -> str:
    """ "This route takes <expected>", and what was sent instead when something was."""
    sent = sent_credential(request)
    if sent:
        return f"This route takes {expected}, not {sent}."
    return f"This route takes {expected}; none was sent."
