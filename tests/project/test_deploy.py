"""The Deploy guide's layout, started once: gunicorn from the .env template, debug off."""

from __future__ import annotations

import http.cookiejar
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from project.devstack import free_port, port_accepts
from tests.test_readme import fill_template

BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "correct horse battery staple 42"

# CI runs this once (in the SQLite run; .ci/run leaves `deploy` out of the PostgreSQL run).
pytestmark = [pytest.mark.deploy, pytest.mark.slow]


def _manage(*args: str, env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}\n{result.stdout}{result.stderr}"


@pytest.fixture
def production(tmp_path: Path):
    """The template with what this machine needs filled in: no proxy, plain http, own database."""
    port = free_port()
    env_file = tmp_path / ".env"
    env_file.write_text(
        fill_template(
            {
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
                "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{port}",
                "DJANGO_HTTPS": "0",  # behind no proxy that terminates TLS, for the test
                "TRUSTED_PROXY_COUNT": "0",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "CACHE_URL": "locmem://",
                "VAR_DIR": str(tmp_path / "var"),
                "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            }
        )
    )
    assert re.search(r"^DJANGO_DEBUG=0$", env_file.read_text(), re.MULTILINE)
    # Nothing from this test run's environment: only the file says how to run.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "WHITENOISE_"))
        and k not in {"DATABASE_URL", "REDIS_URL", "CACHE_URL", "VAR_DIR"}
    }
    env["DJANGO_ENV_FILE"] = str(env_file)
    _manage("migrate", "--noinput", env=env)
    _manage("collectstatic", "--noinput", "-v0", env=env)
    _manage(
        "createsuperuser",
        "--noinput",
        "--username",
        "first-admin",
        "--email",
        "admin@example.com",
        env={**env, "DJANGO_SUPERUSER_PASSWORD": PASSWORD},
    )
    server = subprocess.Popen(
        # Production layout's web command (deploy/), on a free port.
        [
            str(BIN / "gunicorn"),
            "project.wsgi:application",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "w"),  # noqa: SIM115 - closed with the process
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not port_accepts("127.0.0.1", port):
            log = (tmp_path / "gunicorn.log").read_text()
            assert server.poll() is None and time.monotonic() < deadline, log
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def test_gunicorn_from_the_env_template_serves_the_admin_with_its_css(production):
    browser = _opener()
    with browser.open(f"{production}/admin/login/", timeout=20) as login:
        assert login.status == 200
        page = login.read().decode()
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+\.css)"', page)
    assert "/static/admin/css/base.css" in stylesheets
    for href in stylesheets:
        with browser.open(production + href, timeout=20) as css:
            assert css.status == 200
            assert css.headers.get_content_type() == "text/css"
            assert css.read()

    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {
        "csrfmiddlewaretoken": token,
        "username": "first-admin",
        "password": PASSWORD,
        "next": "/admin/",
    }
    with browser.open(
        f"{production}/admin/login/", urllib.parse.urlencode(form).encode(), timeout=20
    ) as index:
        assert index.status == 200 and index.url == f"{production}/admin/"
        assert "Site administration" in index.read().decode()

    # Debug is off: an unknown page is the plain 404, and the API's are JSON.
    with pytest.raises(urllib.error.HTTPError) as missing:
        browser.open(f"{production}/no-such-page/", timeout=20)
    assert missing.value.code == 404
    assert "URLconf" not in missing.value.read().decode()
    with pytest.raises(urllib.error.HTTPError) as api_missing:
        browser.open(f"{production}/api/v1/no-such-route/", timeout=20)
    assert api_missing.value.headers.get_content_type() == "application/json"
    with browser.open(f"{production}/", timeout=20) as root:
        assert 'href="/admin/"' in root.read().decode()
