"""Submission throttles that count a request once its outcome is known.

Accepted submissions count against `comment_submit`; refused ones (bad fields, unknown article,
wrong media type...) against the higher `comment_submit_invalid`, so a developer debugging an
integration does not lock themselves out of submitting, while probing is still slowed. Every POST
is checked against the invalid limit first; the submit limit is checked once the input is valid.
"""

from __future__ import annotations

from rest_framework.exceptions import Throttled
from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle
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
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return len(self.history) < self.num_requests

    def record(self, request: Request, view: APIView) -> None:
        self.allow_request(request, view)  # fresh history: another request may have counted
        self.throttle_success()


def check_submit_rate(request: Request, view: APIView) -> None:
    """Refuse a valid submission past the submit limit (checked after validation, so an invalid
    one is still told what is wrong, and counted under the invalid limit)."""
    throttle = OutcomeThrottle(SUBMIT)
    if not throttle.allow_request(request, view):
        raise Throttled(wait=throttle.wait())


def record_submission(request: Request, view: APIView, status_code: int) -> None:
    """Count a finished submission under the scope its outcome belongs to (429s are not counted)."""
    if status_code == 429:
        return
    scope = SUBMIT if status_code < 400 else SUBMIT_INVALID
    OutcomeThrottle(scope).record(request, view)
