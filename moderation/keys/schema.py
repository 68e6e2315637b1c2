"""How the OpenAPI schema describes a site's secret key (drf-spectacular finds it on import)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class SiteApiKeyScheme(OpenApiAuthenticationExtension):
    # One scheme: OpenAPI would read two listed together as both required, not either.
    target_class = "moderation.keys.authentication.SiteApiKeyAuthentication"
    name = "siteApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "sk_…",
            "description": "A site's secret API key: `Authorization: Bearer sk_…` "
            "(`X-API-Key: sk_…` is accepted too).",
        }
