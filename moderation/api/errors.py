"""One JSON shape for every error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from moderation.errors import ApplicationError, RateLimitedError


def _as_field_messages(detail: Any) -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into {"field" or "field.sub": [messages]}."""
    fields: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}" if prefix else str(index), inner)
        else:
            messages = value if isinstance(value, list) else [value]
            fields.setdefault(prefix or "non_field_errors", []).extend(str(m) for m in messages)

    walk("", detail)
    return fields


def _body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


# Seconds a client is asked to wait when the database is unreachable (the Retry-After header).
DATABASE_RETRY_AFTER_SECONDS = 30
DATABASE_ERRORS = (OperationalError, InterfaceError)
_UNAVAILABLE = _body(
    "service_unavailable",
    "The service cannot reach its database right now; nothing was stored. Try again shortly.",
)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DATABASE_ERRORS):
        # An outage, not a bug: 503 and when to come back, so clients and proxies retry.
        return Response(
            _UNAVAILABLE,
            status=503,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, ApplicationError):
        refused = Response(_body(exc.code, exc.message, exc.fields), status=exc.status_code)
        if isinstance(exc, RateLimitedError):
            refused["Retry-After"] = str(exc.retry_after)
        return refused
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a real server error: let Django log it and answer 500
    if isinstance(exc, exceptions.ValidationError):
        response.data = _body("invalid", "Some fields are invalid.", _as_field_messages(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(code, (dict, list)):
            code = "error"
        message = str(detail)
        if isinstance(exc, exceptions.UnsupportedMediaType):
            message += " Send a JSON body with the header 'Content-Type: application/json'."
        response.data = _body(str(code), message)
    return response


def api_aware_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown URLs under /api/ answer in the API's JSON shape; others get Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse(_body("not_found", f"No API endpoint at {request.path}."), status=404)
    return defaults.page_not_found(request, exception)


def api_aware_server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse(_body("server_error", "Something went wrong on our side."), status=500)
    return defaults.server_error(request)


class DatabaseUnavailableMiddleware:
    """A database outage in a view outside DRF (pages, the embed thread) is a 503 too, not 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        response = JsonResponse(_UNAVAILABLE, status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
