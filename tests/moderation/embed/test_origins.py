import pytest
from django.core.exceptions import ValidationError

from moderation.embed.models import SiteOrigin
from moderation.embed.origins import normalize_origin, origin_of_url
from moderation.embed.services import site_origin_add
from moderation.errors import ApplicationError


@pytest.mark.parametrize(
    ("raw", "origin"),
    [
        ("https://News.Example.com", "https://news.example.com"),
        ("https://news.example.com/", "https://news.example.com"),
        ("https://news.example.com:443", "https://news.example.com"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
        (" http://[::1]:8080 ", "http://[::1]:8080"),
    ],
)
def test_it_writes_origins_one_way(raw, origin):
    assert normalize_origin(raw) == origin


@pytest.mark.parametrize(
    "raw",
    [
        "news.example.com",
        "ftp://news.example.com",
        "https://news.example.com/world",
        "https://user@news.example.com",
        "https://news.example.com?x=1",
        "https://news.example.com:99999",
        "https://",
    ],
)
def test_it_refuses_what_is_not_an_origin(raw):
    with pytest.raises(ValueError, match="origin"):
        normalize_origin(raw)


def test_a_page_url_belongs_to_its_origin():
    assert origin_of_url("https://news.example.com:443/a/b?c#d") == "https://news.example.com"
    assert origin_of_url("javascript:alert(1)") is None


def test_adding_an_origin_twice_keeps_one_row(site):
    site_origin_add(site=site, origin="https://Blog.Example.com/")
    site_origin_add(site=site, origin="https://blog.example.com")
    assert list(site.origins.values_list("origin", flat=True)) == [
        "https://blog.example.com",
        "https://news.example.com",
    ]


def test_a_bad_origin_names_the_field(site):
    with pytest.raises(ApplicationError) as error:
        site_origin_add(site=site, origin="news.example.com")
    assert "origin" in error.value.fields


def test_the_admin_form_cleans_the_origin(site):
    origin = SiteOrigin(site=site, origin="HTTPS://Paper.Example.com/")
    origin.full_clean()
    assert origin.origin == "https://paper.example.com"
    with pytest.raises(ValidationError):
        SiteOrigin(site=site, origin="https://paper.example.com/path").full_clean()
