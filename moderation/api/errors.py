"""One JSON shape for every error: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from moderation.errors import ApplicationError, RateLimitedError
from moderation.perspective.errors import google_error

API_PREFIX = "/api/"
PERSPECTIVE_PREFIX = "/v1alpha1/"


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


def too_large_message() -> str:
    return (
        f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes; send less."
    )


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        return Response(_body("too_large", too_large_message()), status=413)
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


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse | None:
    """The error in the shape of the API the path belongs to; None outside the APIs."""
    if request.path.startswith(PERSPECTIVE_PREFIX):
        return JsonResponse(google_error(status, message), status=status)
    if request.path.startswith(API_PREFIX):
        return JsonResponse(_body(code, message), status=status)
    return None


def api_aware_bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 under the APIs; other refusals a 400."""
    if isinstance(exception, RequestDataTooBig):
        response = _api_error(request, 413, "too_large", too_large_message())
    else:
        response = _api_error(request, 400, "bad_request", "The request could not be read.")
    return response or defaults.bad_request(request, exception)


def api_aware_permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    response = _api_error(request, 403, "permission_denied", "You may not do this.")
    return response or defaults.permission_denied(request, exception)


def api_aware_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Unknown URLs under the APIs answer in their JSON shape; others get Django's page."""
    message = (
        "Method not found."
        if request.path.startswith(PERSPECTIVE_PREFIX)
        else f"No API endpoint at {request.path}."
    )
    return _api_error(request, 404, "not_found", message) or defaults.page_not_found(
        request, exception
    )


def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """The last route under /api/: JSON, in debug too (Django's debug 404 page is HTML)."""
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message += f" Did you mean {request.path}/ (with the final slash)?"
    return JsonResponse(_body("not_found", message), status=404)


def api_aware_server_error(request: HttpRequest) -> HttpResponse:
    message = (
        "Internal error encountered."
        if request.path.startswith(PERSPECTIVE_PREFIX)
        else "Something went wrong on our side."
    )
    return _api_error(request, 500, "server_error", message) or defaults.server_error(request)


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
