import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.moderation.embed.conftest import NEWS_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.org", "pw"))
    return client


def _site_form(site, **changes):
    data = {
        "name": site.name,
        "domain": site.domain,
        "thread_max_depth": site.thread_max_depth,
        "origins-TOTAL_FORMS": "2",
        "origins-INITIAL_FORMS": "1",
        "origins-MIN_NUM_FORMS": "0",
        "origins-MAX_NUM_FORMS": "1000",
        "origins-0-id": str(site.origins.get().pk),
        "origins-0-site": str(site.pk),
        "origins-0-origin": NEWS_ORIGIN,
        "origins-1-site": str(site.pk),
        "origins-1-origin": "",
        "thresholds-TOTAL_FORMS": "0",
        "thresholds-INITIAL_FORMS": "0",
        "thresholds-MIN_NUM_FORMS": "0",
        "thresholds-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return data


def test_the_site_page_shows_its_public_key_and_origins(admin_client, site):
    page = admin_client.get(f"/admin/moderation/site/{site.pk}/change/")
    assert page.status_code == 200
    assert site.public_key in page.content.decode()
    assert NEWS_ORIGIN in page.content.decode()


def test_an_origin_added_in_the_admin_is_stored_normalized(admin_client, site):
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        _site_form(site, **{"origins-1-origin": "HTTPS://Blog.Example.com/"}),
    )
    assert response.status_code == 302
    assert set(site.origins.values_list("origin", flat=True)) == {
        NEWS_ORIGIN,
        "https://blog.example.com",
    }


def test_a_path_is_refused_at_the_field(admin_client, site):
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        _site_form(site, **{"origins-1-origin": "https://blog.example.com/news"}),
    )
    assert response.status_code == 200
    assert "no user, path, query or fragment" in response.content.decode()
    assert site.origins.count() == 1
