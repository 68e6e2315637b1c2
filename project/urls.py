from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from moderation.api.errors import api_not_found
from moderation.views import service_root

urlpatterns = [
    path("admin/", admin.site.urls),
    # Health for load balancers (/healthz) and monitors (/readyz).
    path("", include("moderation.health.urls")),
    path("api/v1/", include("moderation.api.urls")),
    # The widget's script, its API and its no-JavaScript page.
    path("", include("moderation.embed.urls")),
    path("notify/", include("moderation.notify.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's initialiser as a script of its own (?script), so the
    # Content-Security-Policy needs no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="schema", template_name="moderation/api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    # Google's Perspective API paths, so that its clients need only a new base URL.
    path("", include("moderation.perspective.urls")),
    path("", service_root, name="service-root"),
    # Anything else under /api/ is a JSON 404, in debug too.
    re_path(r"^api/(?P<unmatched>.*)$", api_not_found),
]

handler400 = "moderation.api.errors.api_aware_bad_request"
handler403 = "moderation.api.errors.api_aware_permission_denied"
handler404 = "moderation.api.errors.api_aware_not_found"
handler500 = "moderation.api.errors.api_aware_server_error"
