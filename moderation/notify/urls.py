from django.urls import path

from moderation.notify import views

urlpatterns = [
    path("confirm/<str:token>/", views.ConfirmView.as_view(), name="notify-confirm"),
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="notify-unsubscribe"),
    path(
        "moderators/unsubscribe/<str:token>/",
        views.ModeratorUnsubscribeView.as_view(),
        name="notify-moderator-unsubscribe",
    ),
]
