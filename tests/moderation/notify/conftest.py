import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from moderation.notify.models import SiteNotificationSettings


@pytest.fixture
def run_on_commit(celery_eager, django_capture_on_commit_callbacks):
    """Run what commits queue (tasks eagerly, and what those queue in turn) as a worker would."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def eager_retries(celery_eager):
    """Eager tasks run their retries in place (Celery does that when it does not propagate)."""
    from project import celery_app

    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def moderators(db):
    """Give a site moderator addresses; returns the settings row."""

    def configure(site, mode=SiteNotificationSettings.HeldEmails.EACH, every=60):
        return SiteNotificationSettings.objects.create(
            site=site,
            moderator_emails="mod1@publisher.example\nmod2@publisher.example",
            held_emails=mode,
            digest_every_minutes=every,
        )

    return configure


class Receiver:
    """A real HTTP server on 127.0.0.1 that records requests and answers the statuses it's told."""

    def __init__(self, statuses):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length).decode()
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"try again")

            def log_message(self, *args):
                pass

        # Port 0: the OS picks a free one.
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/comments"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def receiver():
    def start(*statuses):
        return Receiver(statuses)

    return start


def verify(secret: str, headers: dict, body: str) -> dict:
    """What a publisher does with a delivery: check the signature, then trust the JSON."""
    timestamp = headers["X-Webhook-Timestamp"]
    expected = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    scheme, _, received = headers["X-Webhook-Signature"].partition("=")
    assert scheme == "v1"
    assert hmac.compare_digest(expected, received), "signature does not match"
    return json.loads(body)
