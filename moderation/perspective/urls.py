from django.urls import path, re_path

from moderation.perspective import errors, views

urlpatterns = [
    path("v1alpha1/comments:analyze", views.AnalyzeView.as_view(), name="perspective-analyze"),
    path(
        "v1alpha1/comments:suggestscore",
        views.SuggestScoreView.as_view(),
        name="perspective-suggestscore",
    ),
    path("$discovery/rest", views.discovery, name="perspective-discovery"),
    re_path(r"^v1alpha1/", errors.not_found),
]
