import pytest
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from moderation.keys.authentication import HasSiteApiKey, SiteApiKeyAuthentication
from moderation.keys.services import api_key_create, api_key_revoke
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db


@api_view(["GET"])
@authentication_classes([SiteApiKeyAuthentication])
@permission_classes([HasSiteApiKey])
def whoami(request):
    return Response({"site": request.auth.site.domain})


def call(**headers):
    return whoami(APIRequestFactory().get("/whoami", **headers))


def test_a_bearer_key_authenticates_its_site():
    site = SiteFactory(domain="paper.example.com")
    _, secret = api_key_create(site=site, name="CMS")
    response = call(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.data == {"site": "paper.example.com"}


def test_the_x_api_key_header_works_too():
    _, secret = api_key_create(site=SiteFactory(), name="CMS")
    assert call(HTTP_X_API_KEY=secret).status_code == 200


def test_a_missing_key_is_refused_with_what_to_send():
    response = call()
    assert response.status_code == 401
    assert "Bearer" in response.data["error"]["message"]


def test_a_wrong_key_is_refused_naming_the_header():
    api_key_create(site=SiteFactory(), name="CMS")
    response = call(HTTP_AUTHORIZATION="Bearer sk_wrong")
    assert response.status_code == 401
    assert response.data["error"]["fields"] == {"Authorization": ["No such key; check for typos."]}


def test_a_revoked_key_is_refused():
    api_key, secret = api_key_create(site=SiteFactory(), name="CMS")
    api_key_revoke(api_key_id=api_key.pk)
    response = call(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401
    assert "revoked" in response.data["error"]["message"]
