"""The service's root page: the admin's "View site" link lands somewhere useful."""

import re

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_root_links_the_admin_the_api_docs_and_the_demo(client, settings):
    settings.DEMO_PAGE_URL = "http://127.0.0.1:37571/"
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for href in ("/admin/", "/api/docs/", "http://127.0.0.1:37571/"):
        assert f'href="{href}"' in html
    # A Content-Security-Policy without inline code is coming: no inline scripts or styles.
    assert "<script" not in html and "<style" not in html and "style=" not in html
    for link in re.findall(r'href="(/[^"]*)"', html):
        assert client.get(link, follow=True).status_code == 200, link


def test_without_make_runs_page_the_demo_link_is_the_demo_articles_thread(
    client, settings, monkeypatch
):
    settings.DEMO_PAGE_URL = ""
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-long-demo-password")
    assert "Demo</a>" not in client.get("/").content.decode()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    html = client.get("/").content.decode()
    thread = re.search(r'href="(/embed/pk_[^"]+)">Demo</a>', html)
    assert thread is not None
    assert client.get(thread.group(1)).status_code == 200
