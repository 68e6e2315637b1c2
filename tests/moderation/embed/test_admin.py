import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from moderation.models import Site
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


def test_the_add_site_page_shows_no_key_until_the_site_exists(admin_client):
    page = admin_client.get("/admin/moderation/site/add/").content.decode()
    assert "pk_" not in page  # a key shown before saving would not be the one saved
    assert "Shown here once the site is saved." in page

    unsaved = Site(name="Riverside Gazette", domain="riverside.example.com")
    response = admin_client.post("/admin/moderation/site/add/", site_change_form(unsaved))
    assert response.status_code == 302
    site = Site.objects.get(domain="riverside.example.com")
    assert site.public_key.startswith("pk_")
    change_page = admin_client.get(f"/admin/moderation/site/{site.pk}/change/").content.decode()
    assert site.public_key in change_page
