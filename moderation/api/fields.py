"""Input fields that take JSON strings only, and a URL field for addresses readers may follow."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from rest_framework import serializers

from moderation import text


class StrictStringMixin:
    """Refuses numbers, booleans, lists and objects where a string is expected (no coercion)."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError("Must be a string.", code="not_a_string")
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictCharField(StrictStringMixin, serializers.CharField):
    pass


class StrictEmailField(StrictStringMixin, serializers.EmailField):
    pass


class StrictURLField(StrictStringMixin, serializers.URLField):
    pass


class NameField(StrictCharField):
    """A person's name without invisible or direction-changing characters."""

    def to_internal_value(self, data: Any) -> str:
        name = text.clean_name(super().to_internal_value(data))
        if not name:
            self.fail("blank")
        return name


class BodyField(StrictCharField):
    """A comment's text with invisible characters normalised (see moderation.text)."""

    def to_internal_value(self, data: Any) -> str:
        body = text.clean_body(super().to_internal_value(data))
        if not body.strip():
            self.fail("blank")
        return body


def _refused_host(host: str) -> bool:
    """localhost, or a literal private, loopback, link-local or otherwise non-public address."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: never resolved here (no DNS lookups at submit time)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast or address.is_reserved


class PublicWebURLField(StrictURLField):
    """An http(s) URL whose host is not localhost or a literal non-public address."""

    def to_internal_value(self, data: Any) -> str:
        url = super().to_internal_value(data)
        if not url:
            return url
        parts = urlsplit(url)
        if parts.scheme.lower() not in {"http", "https"}:
            raise serializers.ValidationError(
                "Only http:// and https:// addresses are accepted.", code="scheme"
            )
        if _refused_host(parts.hostname or ""):
            raise serializers.ValidationError(
                "The address must be on the public internet, not localhost or a private one.",
                code="host",
            )
        return url
