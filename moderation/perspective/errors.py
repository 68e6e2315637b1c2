"""Google's error shape for everything under /v1alpha1/: {"error": {"code", "message", "status"}}.

A stated exception to the rest of the API's {"error": {"code", "message", "fields"}}: clients
written for Perspective read Google's shape, so these views have an exception handler of their own.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from rest_framework import exceptions
from rest_framework.response import Response

from moderation.errors import ApplicationError

logger = logging.getLogger(__name__)

# The google.rpc.Code name Google sends with each HTTP status.
RPC_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    413: "INVALID_ARGUMENT",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}


class PerspectiveError(ApplicationError):
    """A request Perspective would refuse, with the HTTP status and google.rpc status it uses."""

    def __init__(
        self, message: str, *, status_code: int = 400, rpc_status: str = "INVALID_ARGUMENT"
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.rpc_status = rpc_status


def google_error(code: int, message: str, status: str | None = None) -> dict:
    return {"error": {"code": code, "message": message, "status": status or RPC_STATUS[code]}}


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, RequestDataTooBig):
        message = (
            f"Request payload size exceeds the limit: {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
        )
        return Response(google_error(413, message), status=413)
    if isinstance(exc, ApplicationError):
        code = exc.status_code
        status = getattr(exc, "rpc_status", None) or RPC_STATUS.get(code, "INVALID_ARGUMENT")
        return Response(google_error(code, exc.message, status), status=code)
    if isinstance(exc, exceptions.ParseError):
        return Response(google_error(400, f"Invalid JSON payload received. {exc.detail}"), 400)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        message = f"Invalid JSON payload received. {exc.detail} Send application/json."
        return Response(google_error(400, message), status=400)
    if isinstance(exc, exceptions.MethodNotAllowed):
        # Google's front end answers a wrong method on a known path as an unknown method.
        return Response(google_error(404, "Method not found."), status=404)
    if isinstance(exc, exceptions.APIException):
        code = exc.status_code if exc.status_code in RPC_STATUS else 400
        return Response(google_error(code, str(exc.detail)), status=code)
    # Logged without the request body: a doNotStore text must not reach the logs.
    logger.error("Unexpected error in the Perspective API", exc_info=exc)
    return Response(google_error(500, "Internal error encountered."), status=500)


def not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown URLs under /v1alpha1/ answer in Google's shape too."""
    return JsonResponse(google_error(404, "Method not found."), status=404)
