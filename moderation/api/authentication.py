"""A moderator's API token (DRF's authtoken), refusing a site's key with what to send instead."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ModeratorTokenAuthentication(TokenAuthentication):
    """`Authorization: Token …`; a site's key sent as a token is named, not "Invalid token"."""

    def authenticate_credentials(self, key: str):
        if key.startswith(("sk_", "pk_")):
            kind = "secret key" if key.startswith("sk_") else "public key"
            raise exceptions.AuthenticationFailed(
                f"This route takes a moderator's API token, not a site's {kind} ({key[:3]}…)."
            )
        return super().authenticate_credentials(key)
