import json
import os
import re
import signal
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from project.devstack import Service, free_port

BANNER_END = re.compile(r"Ctrl-C stops everything\.")
DOCS_URL = re.compile(r"API docs +(http://127\.0\.0\.1:\d+)/api/docs/")
COMMENTS_URL = re.compile(r"Comment API +(http://\S+/comments/)")
DEMO_PAGE = re.compile(r"^Demo page: (http://127\.0\.0\.1:\d+)/ ", re.MULTILINE)
WIDGET_SNIPPET = re.compile(
    r'<script src="([^"]+)/embed\.js" data-site="(pk_[^"]+)" data-article="([^"]+)"'
)


@pytest.mark.e2e
@pytest.mark.slow
def test_make_run_stack_serves_the_demo_and_ctrl_c_leaves_no_process(tmp_path: Path):
    # As on a fresh machine: SQLite under its own VAR_DIR, the embedded Redis, and no DJANGO_*
    # variables (the settings alone refuse to start without a secret key; the stack sets debug).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "PORT"} and not k.startswith("DJANGO_")
    }
    port = free_port()
    env.update(
        VAR_DIR=str(tmp_path / "var"),
        CELERY_QUEUE="devstack-test",
        PYTHONUNBUFFERED="1",
        PORT=str(port),
        DJANGO_ENV_FILE="",  # a developer's own .env stays out of the fresh-machine stack
    )
    stack = Service(
        "devstack", [sys.executable, "-m", "project.devstack"], env=env, log_path=tmp_path / "log"
    )
    stack.start()
    try:
        stack.wait_for_log(BANNER_END, timeout=180)
        assert stack.process is not None
        children = psutil.Process(stack.process.pid).children(recursive=True)
        commands = " ".join(" ".join(child.cmdline()) for child in children)
        assert "redis-server" in commands
        assert "celery -A project worker" in commands and "--beat" not in commands
        assert "celery -A project beat" in commands
        assert "runserver" in commands
        assert "http.server" in commands

        docs_match = DOCS_URL.search(stack.log_text())
        assert docs_match is not None
        base = docs_match.group(1)
        assert base == f"http://127.0.0.1:{port}"  # PORT=... fixes the port
        with urllib.request.urlopen(f"{base}/api/docs/", timeout=10) as docs:  # noqa: S310
            assert docs.status == 200
            page = docs.read().decode()
        # Swagger UI comes from this server (drf-spectacular-sidecar), not from a CDN.
        assert "cdn" not in page.lower()
        [bundle] = re.findall(r'src="([^"]*swagger-ui-bundle\.js)"', page)
        with urllib.request.urlopen(f"{base}{bundle}", timeout=10) as script:  # noqa: S310
            assert script.status == 200 and len(script.read()) > 100_000
        # The demo publisher page, on an origin of its own, embeds the widget from the API's.
        demo_match = DEMO_PAGE.search(stack.log_text())
        assert demo_match is not None
        demo_origin = demo_match.group(1)
        assert demo_origin != base
        with urllib.request.urlopen(f"{demo_origin}/", timeout=10) as demo:  # noqa: S310
            snippet = WIDGET_SNIPPET.search(demo.read().decode())
            assert snippet is not None
            api_base, public_key, external_id = snippet.groups()
        assert api_base == base
        with urllib.request.urlopen(f"{base}/embed.js", timeout=10) as script:  # noqa: S310
            assert b"attachShadow" in script.read()
        thread = urllib.request.Request(  # noqa: S310
            f"{base}/api/v1/embed/{public_key}/articles/{external_id}/comments/",
            headers={"Origin": demo_origin},
        )
        with urllib.request.urlopen(thread, timeout=10) as answer:  # noqa: S310
            assert answer.headers["Access-Control-Allow-Origin"] in {demo_origin, "*"}
            assert json.loads(answer.read())["article"]["external_id"] == external_id

        comments_match = COMMENTS_URL.search(stack.log_text())
        assert comments_match is not None
        comments_url = comments_match.group(1)
        request = urllib.request.Request(  # noqa: S310
            comments_url,
            data=json.dumps(
                {"author_name": "Ana", "author_email": "ana@example.com", "body": "Thanks."}
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as submitted:  # noqa: S310
            assert submitted.status == 202
            status_url = json.loads(submitted.read())["status_url"]
        assert _status_once_decided(status_url) in {"approved", "held", "rejected"}
        assert "Admin login: admin / " in stack.log_text()

        stack.process.send_signal(signal.SIGINT)
        assert stack.process.wait(timeout=60) == 0
    finally:
        stack.stop()

    still_running = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert still_running == []


def _status_once_decided(status_url: str, timeout: float = 60) -> str:
    """A wait, not a timed assertion: the worker loads its models on the first task."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(status_url, timeout=10) as response:  # noqa: S310
            status = json.loads(response.read())["status"]
        if status != "pending" or time.monotonic() > deadline:
            return status
        time.sleep(0.25)
