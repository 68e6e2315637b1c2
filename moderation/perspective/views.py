"""Perspective's v1alpha1 endpoints: thin views over the services, answering in Google's shapes."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api.parsers import DepthLimitedJSONParser
from moderation.keys.models import ApiKey
from moderation.perspective.discovery import discovery_document
from moderation.perspective.errors import PerspectiveError, exception_handler, google_error
from moderation.perspective.serializers import analyze_request, suggest_request
from moderation.perspective.services import (
    perspective_analyze,
    perspective_key_check,
    perspective_score_suggest,
)

API_VERSION = "v1alpha1"
# A 20 KB comment with its context and attributes fits many times over; larger bodies are not read.
MAX_BODY_BYTES = 256 * 1024


class _PerspectiveView(APIView):
    """Keyed by `?key=` (or Google's X-Goog-Api-Key header), never by session or token."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []  # the per-key quota is checked with the key
    parser_classes = [DepthLimitedJSONParser]
    renderer_classes = [JSONRenderer]

    def get_exception_handler(self):
        return exception_handler

    def api_key(self, request: Request) -> ApiKey:
        secret = request.query_params.get("key") or request.headers.get("X-Goog-Api-Key")
        api_key = perspective_key_check(secret=secret)
        try:
            length = int(request.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            raise PerspectiveError(
                f"Request payload size exceeds the limit: {MAX_BODY_BYTES} bytes.",
                status_code=413,
                rpc_status="INVALID_ARGUMENT",
            )
        return api_key


class AnalyzeView(_PerspectiveView):
    def finalize_response(self, request, response, *args, **kwargs):
        # Every analyze answer carries the header; a refused request was scored by no model.
        response = super().finalize_response(request, response, *args, **kwargs)
        if "X-Model-Versions" not in response:
            response["X-Model-Versions"] = ""
        return response

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        api_key = self.api_key(request)
        body = analyze_request(request.data)
        analysis = perspective_analyze(api_key=api_key, body=body)
        data: dict = {
            "attributeScores": analysis.attribute_scores,
            "languages": analysis.languages,
            "detectedLanguages": analysis.detected_languages,
        }
        if analysis.client_token is not None:
            data["clientToken"] = analysis.client_token
        response = Response(data)
        # Which artifacts scored the text: the same versions give the same scores.
        response["X-Model-Versions"] = ", ".join(
            f"{name}={version}" for name, version in sorted(analysis.model_versions.items())
        )
        return response


class SuggestScoreView(_PerspectiveView):
    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        api_key = self.api_key(request)
        body = suggest_request(request.data)
        suggestion = perspective_score_suggest(api_key=api_key, body=body)
        data: dict = {
            "requestedLanguages": suggestion.requested_languages,
            "detectedLanguages": suggestion.detected_languages,
        }
        if suggestion.client_token is not None:
            data["clientToken"] = suggestion.client_token
        return Response(data)


def discovery(request: HttpRequest) -> JsonResponse:
    """`/$discovery/rest?version=v1alpha1`, as Google serves it, with this server as rootUrl."""
    version = request.GET.get("version", API_VERSION)
    if version != API_VERSION:
        message = f"Discovery document not found for API service: commentanalyzer {version}"
        return JsonResponse(google_error(404, message), status=404)
    return JsonResponse(discovery_document(request.build_absolute_uri("/")))
