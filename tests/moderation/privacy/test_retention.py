"""Raw IP addresses and user agents are kept COMMENT_IP_RETENTION_DAYS, then erased by beat."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from moderation.desk import selectors as desk_selectors
from moderation.models import Comment
from moderation.privacy import tasks
from project.settings import CELERY_BEAT_SCHEDULE
from tests.moderation.factories import CommentFactory

pytestmark = pytest.mark.django_db


def aged(days: float, **kwargs) -> Comment:
    comment: Any = CommentFactory(**kwargs)
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(days=days))
    return Comment.objects.get(pk=comment.pk)


def test_addresses_past_retention_are_erased_and_their_hashes_stay(settings, celery_eager):
    settings.COMMENT_IP_RETENTION_DAYS = 30
    old = aged(31, ip_address="198.51.100.23", user_agent="OldBrowser/1.0")
    recent = aged(29, ip_address="198.51.100.24", user_agent="NewBrowser/2.0")
    hashes = (old.ip_hash, old.ip_network_hash)

    assert tasks.erase_expired_comment_addresses.delay().get() == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (old.ip_hash, old.ip_network_hash) == hashes and all(hashes)
    assert (recent.ip_address, recent.user_agent) == ("198.51.100.24", "NewBrowser/2.0")
    # Safe to run twice: nothing left to erase.
    assert tasks.erase_expired_comment_addresses() == 0


def test_the_desks_history_by_address_outlives_the_address(moderator):
    held = aged(1, ip_address="198.51.100.23", status=Comment.Status.HELD)
    aged(40, ip_address="198.51.100.23", status=Comment.Status.REJECTED)
    tasks.erase_expired_comment_addresses()
    history = desk_selectors.author_history(user=moderator, comments=[held])
    assert history.by_ip_hash[held.ip_hash] == {
        "pending": 0,
        "approved": 0,
        "held": 1,
        "rejected": 1,
    }


def test_beat_runs_the_erasure_hourly_by_default():
    from project import celery_app

    entry = CELERY_BEAT_SCHEDULE["erase-expired-comment-addresses"]
    assert entry["schedule"] == 3600
    assert entry["task"] in celery_app.tasks


@pytest.mark.parametrize("env, expected", [({}, 30), ({"COMMENT_IP_RETENTION_DAYS": "7"}, 7)])
def test_the_retention_is_read_from_the_environment(tmp_path, env, expected):
    base = Path(__file__).resolve().parents[3]
    environment = {k: v for k, v in os.environ.items() if k != "COMMENT_IP_RETENTION_DAYS"} | {
        "DJANGO_DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        **env,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.COMMENT_IP_RETENTION_DAYS))",
        ],
        cwd=base,
        env=environment | {"DJANGO_SETTINGS_MODULE": "project.settings"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_a_negative_retention_is_refused_at_start(tmp_path):
    base = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=base,
        env=os.environ
        | {
            "DJANGO_DEBUG": "1",
            "VAR_DIR": str(tmp_path),
            "COMMENT_IP_RETENTION_DAYS": "-1",
            "DJANGO_SETTINGS_MODULE": "project.settings",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "COMMENT_IP_RETENTION_DAYS" in result.stderr
