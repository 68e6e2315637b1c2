"""DRF authentication by a site's secret key: `Authorization: Bearer sk_…` or `X-API-Key`."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from moderation.api.credentials import SITE_SECRET_KEY, expected_message
from moderation.errors import AuthenticationError
from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_authenticate
from moderation.models import Site


def secret_from_request(request: Request) -> str | None:
    header = get_authorization_header(request).decode("latin-1").strip()
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


class SiteApiKeyAuthentication(BaseAuthentication):
    """Authenticates a site, not a person: `request.auth` is the ApiKey, the user anonymous."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, ApiKey] | None:
        secret = secret_from_request(request)
        if secret is None or secret.startswith("pk_"):
            if secret is not None or get_authorization_header(request):
                # A moderator's token or a public key: say which credential this route takes.
                request.user, request.auth = AnonymousUser(), None
                raise AuthenticationError(
                    expected_message(SITE_SECRET_KEY, request),
                    fields={"Authorization": ["Send one of the site's secret keys (sk_…)."]},
                )
            return None  # HasSiteApiKey then answers 401 with what to send
        try:
            api_key = api_key_authenticate(secret=secret, field="Authorization")
        except AuthenticationError:
            # Settle who is asking, so rendering the error never authenticates again.
            request.user, request.auth = AnonymousUser(), None
            raise
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class HasSiteApiKey(BasePermission):
    """The request carries an active site key; views read the site from `request.auth.site`."""

    message = "Send a site's secret API key as 'Authorization: Bearer sk_…'."

    def has_permission(self, request: Request, view: object) -> bool:
        if not isinstance(request.auth, ApiKey):
            raise exceptions.NotAuthenticated(self.message)
        return True


def authenticated_site(request: Request) -> Site:
    """The site whose key authenticated the request (behind HasSiteApiKey)."""
    if not isinstance(request.auth, ApiKey):
        raise exceptions.NotAuthenticated(HasSiteApiKey.message)
    return request.auth.site


class SiteApiKeyScheme(OpenApiAuthenticationExtension):
    """The API docs name the credential: a site's secret key as a bearer token."""

    target_class = SiteApiKeyAuthentication
    name = "siteSecretKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A site's secret API key: `Authorization: Bearer sk_…`.",
        }
