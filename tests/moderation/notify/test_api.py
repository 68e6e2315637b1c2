import pytest
from rest_framework.test import APIClient

from moderation.keys.services import api_key_create, api_key_revoke
from moderation.notify.models import WebhookEndpoint
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/site/webhooks/"


@pytest.fixture
def site_key(db):
    site = SiteFactory()
    api_key, secret = api_key_create(site=site, name="CMS")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return site, api_key, client


def test_a_site_registers_a_webhook_and_gets_its_secret_once(site_key, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    site, _, client = site_key
    created = client.post(
        URL, {"url": "http://127.0.0.1:8001/h", "events": ["comment.held"]}, format="json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert WebhookEndpoint.objects.get(pk=body["id"]).site == site
    listed = client.get(URL).json()
    assert [e["url"] for e in listed] == ["http://127.0.0.1:8001/h"]
    assert "secret" not in listed[0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"url": "https://10.1.2.3/h", "events": ["comment.held"]}, "url"),
        ({"url": "https://169.254.169.254/", "events": ["comment.held"]}, "url"),
        ({"url": "https://[::1]/h", "events": ["comment.held"]}, "url"),
        ({"url": "https://93.184.215.14/h", "events": ["comment.deleted"]}, "events"),
        ({"url": "https://93.184.215.14/h", "events": []}, "events"),
        ({"url": "not a url", "events": ["comment.held"]}, "url"),
    ],
)
def test_a_refused_registration_names_the_field(site_key, settings, payload, field):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    _, _, client = site_key
    response = client.post(URL, payload, format="json")
    assert response.status_code == 400
    # A list item's error is named by its position, e.g. "events.0".
    assert any(name.split(".")[0] == field for name in response.json()["error"]["fields"])
    assert not WebhookEndpoint.objects.exists()


def test_a_missing_or_revoked_key_is_refused(site_key):
    _, api_key, client = site_key
    assert APIClient().get(URL).status_code == 401
    api_key_revoke(api_key_id=api_key.pk)
    response = client.get(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_site_cannot_remove_another_sites_webhook(site_key):
    _, _, client = site_key
    other = WebhookEndpoint.objects.create(
        site=SiteFactory(), url="https://93.184.215.14/h", events=["comment.held"], secret="s"
    )
    assert client.delete(f"{URL}{other.pk}/").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=other.pk).exists()
    mine = WebhookEndpoint.objects.create(
        site=site_key[0], url="https://93.184.215.14/h", events=["comment.held"], secret="s"
    )
    assert client.delete(f"{URL}{mine.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=mine.pk).exists()
