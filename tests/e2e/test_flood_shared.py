"""Flood limits hold across web processes: two processes count into one Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from moderation.policy.submit import FLOOD_WINDOW
from project.devstack import BASE_DIR, RedisServer

# What one web process does for each submission it takes: count it against the site's limits.
_SUBMIT = """
import json, sys
import django
django.setup()
from moderation.errors import RateLimitedError
from moderation.policy.submit import check_flood
from moderation.rules.models import SiteRules

rules = SiteRules(site_id=0, flood_per_minute=int(sys.argv[1]))
answers = []
for _ in range(int(sys.argv[2])):
    try:
        check_flood(rules, site_id=int(sys.argv[3]), ip_address="203.0.113.9", email="a@b.example")
        answers.append(202)
    except RateLimitedError as error:
        answers.append([429, error.retry_after])
print(json.dumps(answers))
"""


def _web_process(redis_url: str, *, limit: int, submissions: int, site_id: int) -> list:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "CACHE_URL": redis_url,
        "DJANGO_DEBUG": "1",
    }
    result = subprocess.run(
        [sys.executable, "-c", _SUBMIT, str(limit), str(submissions), str(site_id)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.e2e
def test_two_web_processes_share_one_flood_count_through_redis(e2e_redis: RedisServer) -> None:
    # A site id of this run's own, so runs sharing one Redis never count into each other.
    site_id = int.from_bytes(os.urandom(4), "big")
    # Counts are per minute: start early in one, so both processes count into the same minute.
    left = FLOOD_WINDOW - time.time() % FLOOD_WINDOW
    if left < 30:
        time.sleep(left + 0.5)
    first = _web_process(e2e_redis.url, limit=3, submissions=2, site_id=site_id)
    second = _web_process(e2e_redis.url, limit=3, submissions=2, site_id=site_id)
    assert first == [202, 202]
    assert second[0] == 202
    status, retry_after = second[1]
    assert status == 429 and 1 <= retry_after <= 61
