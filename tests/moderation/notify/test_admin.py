import pytest
from django.contrib.auth import get_user_model

from moderation.notify.models import WebhookDelivery, WebhookEndpoint, WebhookMessage
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def test_the_admin_refuses_a_webhook_url_on_a_private_address(superuser_client, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    site = SiteFactory()
    page = superuser_client.post(
        "/admin/moderation/webhookendpoint/add/",
        {"site": site.pk, "url": "https://169.254.169.254/latest", "events": ["comment.held"]},
    )
    assert page.status_code == 200  # the form again, with the error
    assert b"link-local" in page.content
    assert not WebhookEndpoint.objects.exists()


def test_the_admin_registers_a_loopback_webhook_when_development_allows_it(
    superuser_client, settings
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    site = SiteFactory()
    page = superuser_client.post(
        "/admin/moderation/webhookendpoint/add/",
        {
            "site": site.pk,
            "url": "http://127.0.0.1:8001/hook",
            "events": ["comment.held", "comment.approved"],
            "is_active": "on",
        },
        follow=True,
    )
    assert page.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["comment.held", "comment.approved"]
    assert endpoint.secret.startswith("whsec_")
    detail = superuser_client.get(f"/admin/moderation/webhookendpoint/{endpoint.pk}/change/")
    assert endpoint.secret.encode() in detail.content


def test_delivery_attempts_are_visible_and_read_only(superuser_client, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    site = SiteFactory()
    endpoint = WebhookEndpoint.objects.create(
        site=site, url="http://127.0.0.1:8001/h", events=["comment.held"], secret="whsec_x"
    )
    message = WebhookMessage.objects.create(
        endpoint=endpoint,
        event_id="6c4f3f4e-7d7e-4a4f-9d55-1f6f5b0c2e11",
        event="comment.held",
        body="{}",
    )
    WebhookDelivery.objects.create(
        message=message, attempt=1, status_code=500, error="HTTP 500 Internal Server Error"
    )
    listing = superuser_client.get("/admin/moderation/webhookdelivery/")
    assert listing.status_code == 200 and b"HTTP 500 Internal Server Error" in listing.content
    detail = superuser_client.get(f"/admin/moderation/webhookmessage/{message.pk}/change/")
    assert detail.status_code == 200 and b"HTTP 500" in detail.content
    assert b'name="_save"' not in detail.content
    assert superuser_client.get("/admin/moderation/webhookdelivery/add/").status_code == 403
