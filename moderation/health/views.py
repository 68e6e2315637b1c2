"""/healthz for load balancers (public, cheap) and /readyz for monitors (full to staff/token)."""

from __future__ import annotations

from django.db import DatabaseError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from moderation.health import services


def _bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return token.strip()
    return request.headers.get("X-Monitoring-Token", "")


def _sees_full_report(request: HttpRequest) -> bool:
    token = _bearer_token(request)
    if token:
        return services.monitoring_token_matches(token)
    try:
        user = request.user
        return bool(user.is_authenticated and user.is_active and user.is_staff)
    except DatabaseError:  # the session needs the database; without it, no staff view
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when this web process reaches its database and Redis, else 503."""
    report = services.liveness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """200 when the whole pipeline can decide comments, else 503; details to staff or token."""
    report = services.readiness()
    status = 200 if report["status"] == "ready" else 503
    if not _sees_full_report(request):
        report = {"status": report["status"]}
    return JsonResponse(report, status=status)
