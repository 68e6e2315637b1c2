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
