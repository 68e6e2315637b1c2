"""Submission throttles that count a request once its outcome is known.

Accepted submissions count against `comment_submit`; refused ones (bad fields, unknown article,
wrong media type...) against the higher `comment_submit_invalid`, so a developer debugging an
integration does not lock themselves out of submitting, while probing is still slowed. Every POST
is checked against the invalid limit first; the submit limit is checked once the input is valid.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest
from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView

SUBMIT = "comment_submit"
SUBMIT_INVALID = "comment_submit_invalid"


class OutcomeThrottle(ScopedRateThrottle):
    """A scoped rate whose check does not count; `record()` counts once the answer is known."""

    def __init__(self, scope: str) -> None:
        # ScopedRateThrottle reads its scope from the view; this one is given it.
        self.scope = scope
        self.rate = self.get_rate()
        num_requests, duration = self.parse_rate(self.rate)
        assert num_requests is not None and duration is not None  # every scope has a rate
        self.num_requests, self.duration = num_requests, duration

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.key = self.get_cache_key(request, view)
        return self.allows(self.cache.get(self.key, []))

    def allows(self, history: list[float]) -> bool:
        """Whether history (this client's, as read from the cache) leaves room for a request."""
        self.history = history
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record(self, request: Request, view: APIView) -> None:
        self.allow_request(request, view)  # fresh history: another request may have counted
        self.throttle_success()


class SubmissionThrottle(OutcomeThrottle):
    """The invalid limit, checked as a submission arrives. The same cache round trip reads the
    client's history under the submit limit, which `check_submit_rate` judges once the input is
    valid: one read instead of two."""

    def __init__(self) -> None:
        super().__init__(SUBMIT_INVALID)
        self.submit = OutcomeThrottle(SUBMIT)
        self.submit_history: list[float] | None = None

    def allow_request(self, request: Request, view: APIView) -> bool:
        self.key = self.get_cache_key(request, view)
        self.submit.key = self.submit.get_cache_key(request, view)
        found = self.cache.get_many([self.key, self.submit.key])
        self.submit_history = found.get(self.submit.key, [])
        return self.allows(found.get(self.key, []))


def check_submit_rate(request: Request, view: APIView, arrival: SubmissionThrottle) -> None:
    """Refuse a valid submission past the submit limit (checked after validation, so an invalid
    one is still told what is wrong, and counted under the invalid limit), from the history
    read when it arrived."""
    throttle = arrival.submit
    history = arrival.submit_history
    allowed = throttle.allow_request(request, view) if history is None else throttle.allows(history)
    if not allowed:
        raise Throttled(wait=throttle.wait())


def record_submission(request: Request, view: APIView, status_code: int) -> None:
    """Count a finished submission under the scope its outcome belongs to (429s are not counted)."""
    if status_code == 429:
        return
    scope = SUBMIT if status_code < 400 else SUBMIT_INVALID
    OutcomeThrottle(scope).record(request, view)


# --- anonymous reads -------------------------------------------------------------------------
PUBLIC_READ = "public_read"
STATUS_POLL = "status_poll"
STATUS_POLL_MISS = "status_poll_miss"


class PublicReadThrottle(SimpleRateThrottle):
    """Thread and article reads per client address (generous: many readers share an address)."""

    scope = PUBLIC_READ

    def get_cache_key(self, request: Request, view: APIView | None) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class StatusPollThrottle(SimpleRateThrottle):
    """Status polls per token (a hash of it: the cache never holds the token itself)."""

    scope = STATUS_POLL

    def get_cache_key(self, request: Request, view: APIView | None) -> str:
        token = request.headers.get("X-Status-Token") or request.query_params.get("token") or ""
        ident = (
            hashlib.sha256(token.encode()).hexdigest()[:32] if token else self.get_ident(request)
        )
        return self.cache_format % {"scope": self.scope, "ident": ident}


def status_poll_throttles(request: Request) -> list[BaseThrottle]:
    """Per token, and per address for polls that matched no comment (guessing tokens or ids)."""
    return [StatusPollThrottle(), OutcomeThrottle(STATUS_POLL_MISS)]


def record_status_poll(request: Request, view: APIView, status_code: int) -> None:
    if status_code in (400, 404):
        OutcomeThrottle(STATUS_POLL_MISS).record(request, view)


def public_read_allowed(request: HttpRequest) -> bool:
    """The read throttle for plain Django views (the no-JavaScript page); counts the read."""
    return PublicReadThrottle().allow_request(request, None)  # type: ignore[arg-type]
