"""The settings alone are production-safe; development turns debug on explicitly."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
READ_SETTINGS = """
import json
import re
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in [
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "ALLOWED_HOSTS",
]}))
"""


def _run(code_or_args, tmp_path, **env_vars):
    """Run Python in a clean environment: no DJANGO_* variable unless given here."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    # DJANGO_ENV_FILE empty: a developer's own .env must not change what these tests see.
    env.update(VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="project.settings", DJANGO_ENV_FILE="")
    env.update(env_vars)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, check=False
    )


def _settings(tmp_path, **env_vars):
    result = _run(READ_SETTINGS, tmp_path, **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_bare_manage_py_names_the_variable_to_set(tmp_path):
    result = _run(["manage.py", "create_api_key", "--site", "x", "--name", "CMS sync"], tmp_path)
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr
    # One line saying how to run it in development, not the end of a traceback.
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "make manage ARGS=\"create_api_key --site x --name 'CMS sync'\"" in result.stderr


def test_the_settings_read_a_env_file_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "production.env"
    env_file.write_text(
        "# a deployment's settings\n"
        "DJANGO_SECRET_KEY='" + "k" * 50 + "'\n"
        "DJANGO_ALLOWED_HOSTS=comments.example.com\n"
        "DJANGO_HTTPS=0\n"
    )
    values = _settings(tmp_path, DJANGO_ENV_FILE=str(env_file))
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["comments.example.com"]
    assert values["SECURE_SSL_REDIRECT"] is False
    values = _settings(tmp_path, DJANGO_ENV_FILE=str(env_file), DJANGO_HTTPS="1")
    assert values["SECURE_SSL_REDIRECT"] is True


def test_a_malformed_env_file_line_is_named(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DJANGO_DEBUG=1\nthis is not a setting\n")
    result = _run(["manage.py", "check"], tmp_path, DJANGO_ENV_FILE=str(env_file))
    assert result.returncode != 0
    assert f"{env_file}:2: expected NAME=value" in result.stderr


def test_with_a_secret_key_but_no_hosts_it_names_allowed_hosts(tmp_path):
    result = _run(["manage.py", "check"], tmp_path, DJANGO_SECRET_KEY="k" * 50)
    assert result.returncode != 0
    assert "Set DJANGO_ALLOWED_HOSTS" in result.stderr


def test_debug_is_off_and_https_on_unless_asked_otherwise(tmp_path):
    values = _settings(
        tmp_path, DJANGO_SECRET_KEY="k" * 50, DJANGO_ALLOWED_HOSTS="comments.example.com"
    )
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True


def test_https_can_be_switched_off_for_plain_http(tmp_path):
    values = _settings(
        tmp_path,
        DJANGO_SECRET_KEY="k" * 50,
        DJANGO_ALLOWED_HOSTS="comments.example.com",
        DJANGO_HTTPS="0",
    )
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False


def test_development_sets_debug_explicitly_and_then_needs_nothing_else(tmp_path):
    values = _settings(tmp_path, DJANGO_DEBUG="1")
    assert values["DEBUG"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert "127.0.0.1" in values["ALLOWED_HOSTS"]


@pytest.mark.parametrize("key", ["", "dev-only-insecure-key-change-me"])
def test_the_development_key_is_refused_outside_debug(tmp_path, key):
    result = _run(READ_SETTINGS, tmp_path, DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="x.org")
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_outside_debug_an_unknown_url_does_not_list_the_url_patterns(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"api/v1/" not in response.content and b"admin/" not in response.content


def test_the_production_deploy_check_passes_with_no_warning(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x7Q" * 12,
        DJANGO_ALLOWED_HOSTS="example.com",
        DJANGO_HTTPS="1",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_hsts_covers_subdomains_and_preload_unless_turned_off(tmp_path):
    production = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "example.com",
    }
    read = READ_SETTINGS.replace(
        '"ALLOWED_HOSTS",',
        '"ALLOWED_HOSTS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",',
    )
    result = _run(read, tmp_path, **production)
    assert json.loads(result.stdout)["SECURE_HSTS_PRELOAD"] is True
    assert json.loads(result.stdout)["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    result = _run(
        read,
        tmp_path,
        **production,
        DJANGO_HSTS_PRELOAD="0",
        DJANGO_HSTS_INCLUDE_SUBDOMAINS="0",
    )
    assert json.loads(result.stdout)["SECURE_HSTS_PRELOAD"] is False
    assert json.loads(result.stdout)["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False


def test_the_env_template_lists_every_variable_the_settings_read():
    settings_source = (BASE_DIR / "project" / "settings.py").read_text()
    template = (BASE_DIR / ".env.example").read_text()
    names = set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', settings_source))
    assert {"DJANGO_SECRET_KEY", "CACHE_URL", "MODERATION_IP_HASH_KEY"} <= names
    names.discard("DJANGO_ENV_FILE")  # names the file itself; the template's header explains it
    missing = {name for name in names if not re.search(rf"^(# )?{name}=", template, re.M)}
    assert missing == set()
    # A production template: debug off, and the secret left for the deployer to fill in.
    assert re.search(r"^DJANGO_DEBUG=0$", template, re.M)
    assert re.search(r"^DJANGO_SECRET_KEY=$", template, re.M)


READ_DATABASE = """
import json
from django.conf import settings
database = settings.DATABASES["default"]
print(json.dumps([database["CONN_MAX_AGE"], database.get("CONN_HEALTH_CHECKS", False)]))
"""


def test_postgresql_connections_are_kept_between_requests_and_checked_before_reuse(tmp_path):
    def database(**env):
        result = _run(READ_DATABASE, tmp_path, DJANGO_DEBUG="1", **env)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    postgres = "postgres://u@127.0.0.1:5432/comments"
    assert database(DATABASE_URL=postgres) == [600, True]
    assert database(DATABASE_URL=postgres, DATABASE_CONN_MAX_AGE="0") == [0, True]
    # One setting for every engine: SQLite keeps its connection too.
    assert database(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}") == [600, True]


def test_a_worker_reserves_one_message_ahead_unless_told_otherwise(tmp_path):
    read = READ_SETTINGS.replace('"ALLOWED_HOSTS",', '"CELERY_WORKER_PREFETCH_MULTIPLIER",')
    development = {"DJANGO_DEBUG": "1"}
    assert (
        json.loads(_run(read, tmp_path, **development).stdout)["CELERY_WORKER_PREFETCH_MULTIPLIER"]
        == 1
    )
    result = _run(read, tmp_path, **development, CELERY_WORKER_PREFETCH_MULTIPLIER="16")
    assert json.loads(result.stdout)["CELERY_WORKER_PREFETCH_MULTIPLIER"] == 16
    result = _run(read, tmp_path, **development, CELERY_WORKER_PREFETCH_MULTIPLIER="0")
    assert result.returncode != 0 and "CELERY_WORKER_PREFETCH_MULTIPLIER" in result.stderr
