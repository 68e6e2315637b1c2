"""The queue as an entry of the admin index ("Moderation queue"), with its action URLs."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path

from moderation.desk import views
from moderation.models import MODERATE_COMMENT, ModerationQueue


@admin.register(ModerationQueue)
class ModerationQueueAdmin(admin.ModelAdmin):
    """No change list of its own: the index entry opens the desk; moderators only."""

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(MODERATE_COMMENT)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MODERATE_COMMENT)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        def queue(request: HttpRequest):
            return views.queue_view(request, self.admin_site)

        return [
            path(
                "",
                self.admin_site.admin_view(queue),
                name="moderation_moderationqueue_changelist",
            ),
            path("decide/", views.DecideView.as_view(), name="moderation_desk_decide"),
            path("undo/", views.UndoView.as_view(), name="moderation_desk_undo"),
        ]
