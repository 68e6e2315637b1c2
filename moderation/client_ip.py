"""The client's address as the API's throttles see it, for callers outside DRF (login limits)."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str | None:
    """The address, trusting X-Forwarded-For only as far as TRUSTED_PROXY_COUNT says."""
    candidate = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address((candidate or "").strip()))
    except ValueError:
        return None
