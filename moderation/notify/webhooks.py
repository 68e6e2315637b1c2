"""Signing a webhook body and making one HTTP attempt to deliver it."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from moderation.notify.addresses import Target

SIGNATURE_VERSION = "v1"
USER_AGENT = "comment-moderation-webhooks/1"
# Enough of the receiver's answer to show in the delivery log; the rest is not read.
MAX_RESPONSE_BYTES = 2048


def signature(*, secret: str, timestamp: int, body: str) -> str:
    """HMAC-SHA256 of f"{timestamp}.{body}" with the endpoint's secret, as hex."""
    signed = f"{timestamp}.{body}".encode()
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def headers(*, secret: str, event: str, event_id: str, attempt: int, body: str) -> dict[str, str]:
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Id": event_id,
        "X-Webhook-Event": event,
        "X-Webhook-Attempt": str(attempt),
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": (
            f"{SIGNATURE_VERSION}={signature(secret=secret, timestamp=timestamp, body=body)}"
        ),
    }


@dataclass(frozen=True)
class Attempt:
    status_code: int | None
    error: str
    duration_ms: float

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(*, target: Target, body: str, headers: dict[str, str], timeout: float) -> Attempt:
    """POST body to the target, connecting to its checked address; redirects are not followed."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    # The Host header and TLS name stay the URL's host; the socket goes to the address checked.
    def connect_to_checked_address(_address, timeout, source_address=None):
        return socket.create_connection((target.address, target.port), timeout, source_address)

    connection._create_connection = connect_to_checked_address  # type: ignore[attr-defined]
    started = time.perf_counter()
    try:
        connection.request("POST", target.path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        response.read(MAX_RESPONSE_BYTES)
        status_code, error = response.status, ""
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code} {response.reason}"
    except (OSError, http.client.HTTPException) as exc:
        status_code, error = None, f"{type(exc).__name__}: {exc}"[:1000]
    finally:
        connection.close()
    return Attempt(
        status_code=status_code,
        error=error,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
    )
