"""Server-to-server webhook registration, authenticated by a site's secret API key."""

from __future__ import annotations

from typing import cast

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from moderation.api import fields
from moderation.keys.authentication import HasSiteApiKey, SiteApiKeyAuthentication
from moderation.keys.models import ApiKey
from moderation.models import Site
from moderation.notify import services
from moderation.notify.models import WebhookEndpoint


class WebhookEndpointInput(serializers.Serializer):
    url = fields.StrictURLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEndpoint.Event.choices),
        min_length=1,
        max_length=len(WebhookEndpoint.Event.values),
    )


class WebhookEndpointOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "created_at"]


class WebhookEndpointCreatedOutput(WebhookEndpointOutput):
    secret = serializers.CharField(help_text="Signs every delivery; keep it on your server.")

    class Meta(WebhookEndpointOutput.Meta):
        fields = [*WebhookEndpointOutput.Meta.fields, "secret"]


def _site(request: Request) -> Site:
    # HasSiteApiKey has made sure request.auth is an active ApiKey.
    return cast(ApiKey, request.auth).site


class _SiteKeyView(APIView):
    authentication_classes = [SiteApiKeyAuthentication]
    permission_classes = [HasSiteApiKey]


class SiteWebhooksView(_SiteKeyView):
    """GET lists the site's webhook endpoints; POST registers one."""

    @extend_schema(
        responses={200: WebhookEndpointOutput(many=True)},
        summary="The site's webhook endpoints",
    )
    def get(self, request: Request) -> Response:
        endpoints = WebhookEndpoint.objects.filter(site=_site(request)).order_by("id")
        return Response(WebhookEndpointOutput(endpoints, many=True).data)

    @extend_schema(
        request=WebhookEndpointInput,
        responses={201: WebhookEndpointCreatedOutput},
        summary="Register a webhook endpoint (https, public address) for chosen events",
        examples=[
            OpenApiExample(
                "Held and approved comments",
                value={
                    "url": "https://news.example.com/hooks/comments",
                    "events": ["comment.held", "comment.approved"],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = WebhookEndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(
            site=_site(request),
            url=data.validated_data["url"],
            events=data.validated_data["events"],
        )
        return Response(WebhookEndpointCreatedOutput(endpoint).data, status=status.HTTP_201_CREATED)


class SiteWebhookView(_SiteKeyView):
    @extend_schema(responses={204: None}, summary="Remove a webhook endpoint and its delivery log")
    def delete(self, request: Request, endpoint_id: int) -> Response:
        services.webhook_endpoint_delete(site=_site(request), endpoint_id=endpoint_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
