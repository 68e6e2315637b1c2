"""The one domain error type; the API's exception handler turns it into a JSON 4xx."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request the domain refuses, with the fields at fault."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFoundError(ApplicationError):
    status_code = 404
    code = "not_found"


class ConflictError(ApplicationError):
    status_code = 409
    code = "conflict"


class AuthenticationError(ApplicationError):
    """A missing, unknown or revoked credential."""

    status_code = 401
    code = "not_authenticated"


class PermissionDeniedError(ApplicationError):
    """The user is known but may not do this (e.g. act outside the sites they are scoped to)."""

    status_code = 403
    code = "permission_denied"


class RateLimitedError(ApplicationError):
    """Too many requests for now; `retry_after` seconds until the next one is accepted."""

    status_code = 429
    code = "throttled"

    def __init__(self, message: str, *, retry_after: int, fields=None) -> None:
        super().__init__(message, fields=fields)
        self.retry_after = retry_after


class DuplicateError(ConflictError):
    """The same author already sent this text."""

    code = "duplicate"
