import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from moderation.models import Article, Site


@pytest.mark.django_db
def test_the_demo_is_created_once_however_often_it_is_loaded(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert Site.objects.count() == 1
    assert Site.objects.get().notification_settings.moderator_addresses() == [
        "moderators@demo.localhost"
    ]
    article = Article.objects.get()
    assert "El Salvador" in article.title and article.comments_open
    assert get_user_model().objects.get(username="admin").is_superuser
    assert "Admin login: admin / admin" in capsys.readouterr().out


@pytest.mark.django_db
def test_outside_debug_the_demo_admin_needs_a_password_from_the_environment(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("DEMO_ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DEMO_ADMIN_PASSWORD"):
        call_command("load_demo")
    monkeypatch.setenv("DEMO_ADMIN_PASSWORD", "a-long-demo-password")
    call_command("load_demo")
    assert get_user_model().objects.get(username="admin").check_password("a-long-demo-password")


@pytest.mark.django_db
def test_the_demo_site_lets_the_demo_page_origin_embed_it(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo", "--origin", "http://127.0.0.1:8123")
    call_command("load_demo", "--origin", "http://127.0.0.1:8123/")
    site = Site.objects.get()
    assert list(site.origins.values_list("origin", flat=True)) == ["http://127.0.0.1:8123"]
    assert f"Demo site public key: {site.public_key}" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_bad_demo_origin_is_refused(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--origin"):
        call_command("load_demo", "--origin", "127.0.0.1:8123")
