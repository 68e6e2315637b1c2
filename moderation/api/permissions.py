"""Who may use the moderator API: the same permission the admin's comment actions require."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from moderation.api.credentials import MODERATOR_TOKEN, expected_message
from moderation.models import MODERATE_COMMENT


class CanModerateComments(BasePermission):
    """An active user holding moderation.moderate_comment (the "Moderators" group grants it).

    Being staff is not enough: a staff user without the permission gets 403.
    """

    message = "You need the moderate_comment permission (the Moderators group) for this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            # 401 naming the credential, also when a site's key or a public key was sent.
            raise exceptions.NotAuthenticated(expected_message(MODERATOR_TOKEN, request))
        return bool(user and user.is_authenticated and user.has_perm(MODERATE_COMMENT))
