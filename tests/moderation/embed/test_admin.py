import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.moderation.admin_forms import site_change_form
from tests.moderation.embed.conftest import NEWS_ORIGIN

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("boss", "b@example.org", "pw"))
    return client


def _site_form(site, new_origin):
    saved = site.origins.get()
    return site_change_form(
        site,
        origins=[
            {"id": str(saved.pk), "site": str(site.pk), "origin": NEWS_ORIGIN},
            {"site": str(site.pk), "origin": new_origin},
        ],
        initial_origins=1,
    )


def test_the_site_page_shows_its_public_key_and_origins(admin_client, site):
    page = admin_client.get(f"/admin/moderation/site/{site.pk}/change/")
    assert page.status_code == 200
    assert site.public_key in page.content.decode()
    assert NEWS_ORIGIN in page.content.decode()


def test_an_origin_added_in_the_admin_is_stored_normalized(admin_client, site):
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        _site_form(site, "HTTPS://Blog.Example.com/"),
    )
    assert response.status_code == 302
    assert set(site.origins.values_list("origin", flat=True)) == {
        NEWS_ORIGIN,
        "https://blog.example.com",
    }


def test_a_path_is_refused_at_the_field(admin_client, site):
    response = admin_client.post(
        f"/admin/moderation/site/{site.pk}/change/",
        _site_form(site, "https://blog.example.com/news"),
    )
    assert response.status_code == 200
    assert "no user, path, query or fragment" in response.content.decode()
    assert site.origins.count() == 1
