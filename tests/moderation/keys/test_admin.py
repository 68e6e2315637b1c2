import re

import pytest
from django.contrib.auth import get_user_model

from moderation.keys.models import ApiKey
from moderation.keys.services import api_key_authenticate
from tests.moderation.factories import SiteFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(user)
    return client


def test_the_admin_creates_a_key_and_shows_the_secret_once(superuser_client):
    site = SiteFactory()
    page = superuser_client.post(
        "/admin/moderation/apikey/add/",
        {"site": site.pk, "name": "CMS sync", "rate_limit_per_second": "5"},
        follow=True,
    )
    assert page.status_code == 200
    secret = re.search(rb"sk_[A-Za-z0-9_-]{40,}", page.content).group(0).decode()
    api_key = api_key_authenticate(secret=secret)
    assert (api_key.site, api_key.name, api_key.rate_limit_per_second) == (site, "CMS sync", 5)
    listing = superuser_client.get("/admin/moderation/apikey/")
    assert secret.encode() not in listing.content
    assert api_key.prefix.encode() in listing.content


def test_the_admin_revokes_selected_keys(superuser_client):
    site = SiteFactory()
    superuser_client.post(
        "/admin/moderation/apikey/add/", {"site": site.pk, "name": "Old"}, follow=True
    )
    api_key = ApiKey.objects.get()
    superuser_client.post(
        "/admin/moderation/apikey/",
        {"action": "revoke_selected", "_selected_action": [api_key.pk]},
    )
    assert ApiKey.objects.get().revoked_at is not None
