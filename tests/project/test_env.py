import pytest
from django.core.exceptions import ImproperlyConfigured

from project.env import env_bool, env_database, env_int, env_redis_url


def test_booleans_read_common_spellings(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG", False) is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", True) is False


@pytest.mark.parametrize(
    "reader, value, message",
    [
        (lambda: env_bool("X", False), "maybe", "not a boolean"),
        (lambda: env_int("X", 1), "ten", "not a whole number"),
        (lambda: env_int("X", 1, minimum=1), "0", "below the minimum"),
        (lambda: env_database("X", "sqlite:///db"), "mysql://h/db", "unsupported scheme"),
        (lambda: env_database("X", "sqlite:///db"), "postgres://host:5432/", "names no database"),
        (lambda: env_redis_url("X", "redis://h"), "http://localhost", "expected a redis://"),
        (lambda: env_redis_url("X", "redis://h"), "redis://localhost:port/0", "invalid port"),
    ],
)
def test_a_bad_value_fails_at_start_with_a_clear_message(monkeypatch, reader, value, message):
    monkeypatch.setenv("X", value)
    with pytest.raises(ImproperlyConfigured, match=message):
        reader()


def test_database_url_switches_to_postgresql(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://app@db.internal:5432/comments")
    config = env_database("DATABASE_URL", "sqlite:///x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5432, "comments")


def test_email_url_configures_smtp_with_starttls(monkeypatch):
    from project.env import env_email_url

    monkeypatch.setenv(
        "EMAIL_URL", "smtp://mailer%40news.example:p%40ss@smtp.example.com:587/?tls=1"
    )
    config = env_email_url("EMAIL_URL")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.com",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@news.example",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_email_url_smtps_means_implicit_tls_on_465(monkeypatch):
    from project.env import env_email_url

    monkeypatch.setenv("EMAIL_URL", "smtps://smtp.example.com")
    config = env_email_url("EMAIL_URL")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_email_url_picks_the_console_backend_and_refuses_unknown_schemes(monkeypatch):
    from project.env import env_email_url

    monkeypatch.setenv("EMAIL_URL", "console://")
    assert env_email_url("EMAIL_URL") == {
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    monkeypatch.setenv("EMAIL_URL", "imap://mail.example.com")
    with pytest.raises(ImproperlyConfigured, match="unsupported scheme"):
        env_email_url("EMAIL_URL")
    monkeypatch.delenv("EMAIL_URL")
    assert env_email_url("EMAIL_URL") is None
