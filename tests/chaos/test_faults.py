"""Faults with real processes: kill -9 of the worker, Redis going away, a dead beat, no models.

Afterwards every accepted comment has exactly one system decision: none lost, none decided
twice, none left pending. Each scenario prints its figures on a "CHAOS" line.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from moderation.models import CLASSIFIER_UNAVAILABLE_LABEL, Actor, Comment, ModerationEvent
from project.devstack import BEAT_HAS_LOCK
from tests.chaos.conftest import (
    BEAT_LOCK_SECONDS,
    REQUEUE_EVERY_SECONDS,
    STALE_SECONDS,
    Submitter,
    assert_each_decided_once,
    comments_url,
    log_times,
    pending_count,
    report,
    wait_until_none_pending,
)

pytestmark = [pytest.mark.chaos, pytest.mark.e2e, pytest.mark.slow]
ARTIFACTS = Path(__file__).resolve().parents[2] / "ml" / "artifacts"
STREAM = 500


def _decided(article) -> int:
    return Comment.objects.filter(article=article).exclude(status=Comment.Status.PENDING).count()


def _wait_for_decisions(article, count: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while _decided(article) < count and time.monotonic() < deadline:
        time.sleep(0.1)


def _readyz(live_server) -> tuple[int, dict]:
    request = urllib.request.Request(  # noqa: S310 - the live server's own URL
        f"{live_server.url}/readyz", headers={"Authorization": "Bearer chaos-token"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_kill_9_of_the_worker_pool_process_then_of_its_main_process_mid_stream(
    chaos_stack, live_server, article
):
    # One stream of 500 comments, two faults one after the other: kill -9 of the pool process
    # (the worker's main process forks a new one), then, once that one decides comments, kill -9
    # of the main process (supervision ends the orphaned pool process and restarts the worker).
    chaos_stack.redis.start()
    worker = chaos_stack.worker()
    beat = chaos_stack.beat()
    started = time.monotonic()
    submitter = Submitter(comments_url(live_server, article), count=STREAM)
    submitter.start()
    _wait_for_decisions(article, 50)
    [pool] = chaos_stack.pool_pids(worker)
    os.kill(pool, signal.SIGKILL)
    decided_at_first_kill = _decided(article)
    _wait_for_decisions(article, decided_at_first_kill + 50)
    assert "exited with 'signal 9 (SIGKILL)'" in worker.log_text()
    assert pending_count(article) > 0 or len(submitter.accepted) < STREAM, "stream already over"

    old_pid, beat_pid = worker.pid, beat.pid
    [second_pool] = chaos_stack.pool_pids(worker)
    assert second_pool != pool
    os.kill(old_pid, signal.SIGKILL)
    decided_at_second_kill = _decided(article)
    chaos_stack.wait_for_new_start(worker, old_pid)
    # Supervision ended what the killed worker left (its pool process) before restarting it,
    # and the beat, a process of its own, was neither orphaned nor doubled.
    assert (
        not psutil.pid_exists(second_pool)
        or psutil.Process(second_pool).status() == psutil.STATUS_ZOMBIE
    )
    assert beat.running and beat.pid == beat_pid
    submitter.finish()
    settle = wait_until_none_pending(article)
    statuses = assert_each_decided_once(article, submitter.accepted)
    assert submitter.refused == []
    assert chaos_stack.supervisor.restarts.get("worker") == 1
    assert "beat" not in chaos_stack.supervisor.restarts
    report(
        "kill -9 pool process, then kill -9 worker main process",
        accepted=len(submitter.accepted),
        decided_at_pool_kill=decided_at_first_kill,
        decided_at_main_kill=decided_at_second_kill,
        statuses=statuses,
        seconds_to_none_pending_after_stream=round(settle, 1),
        total_seconds=round(time.monotonic() - started, 1),
    )


@pytest.mark.parametrize("persistent", [False, True], ids=["without-persistence", "with-aof"])
def test_redis_stops_mid_stream_and_comes_back(chaos_stack, live_server, article, persistent):
    chaos_stack.redis.start(persistent=persistent)
    chaos_stack.worker()
    chaos_stack.beat()
    submitter = Submitter(comments_url(live_server, article), every=0.05)
    submitter.start()
    submitter.wait_for(50)
    if persistent:
        chaos_stack.redis.shutdown()  # SIGTERM: the append-only file keeps the queue
    else:
        chaos_stack.redis.kill()  # kill -9, nothing on disk: the queue is gone
    before = len(submitter.accepted)
    time.sleep(10)
    during = len(submitter.accepted) - before
    chaos_stack.redis.start(persistent=persistent)
    back = time.monotonic()
    time.sleep(3)
    submitter.stopped.set()
    submitter.finish()
    settle = wait_until_none_pending(article)
    statuses = assert_each_decided_once(article, submitter.accepted)
    assert during > 0, "no submission was accepted while Redis was down"
    assert submitter.refused == []
    report(
        f"Redis {'shut down (AOF)' if persistent else 'killed (no persistence)'} for 10 s",
        accepted=len(submitter.accepted),
        accepted_while_down=during,
        statuses=statuses,
        seconds_to_none_pending_after_redis_back=round(time.monotonic() - back, 1),
        seconds_to_none_pending_after_stream=round(settle, 1),
    )


def test_submissions_while_redis_is_down_from_the_start(chaos_stack, live_server, article):
    # The worker and the beat start first and wait for Redis, as after a host reboot.
    chaos_stack.worker(wait=False)
    chaos_stack.beat()
    submitter = Submitter(comments_url(live_server, article), count=40)
    submitter.start()
    submitter.finish()
    assert len(submitter.accepted) == 40 and submitter.refused == []
    assert pending_count(article) == 40
    chaos_stack.redis.start()
    back = time.monotonic()
    settle = wait_until_none_pending(article)
    statuses = assert_each_decided_once(article, submitter.accepted)
    report(
        "Redis down from the start",
        accepted=len(submitter.accepted),
        statuses=statuses,
        seconds_to_none_pending_after_redis_up=round(time.monotonic() - back, 1),
        stale_age_plus_interval=STALE_SECONDS + REQUEUE_EVERY_SECONDS,
        settle=round(settle, 1),
    )


def test_a_killed_beat_comes_back_and_only_one_beat_ever_runs(chaos_stack, live_server):
    chaos_stack.redis.start()
    chaos_stack.worker()
    beat = chaos_stack.beat()
    beat.wait_for_log(BEAT_HAS_LOCK, timeout=60)
    # A second beat, as another host of the same deployment would start: it must wait.
    second = chaos_stack.beat("beat-2", supervised=False)
    time.sleep(2 * BEAT_LOCK_SECONDS)
    assert "Acquired lock" not in second.log_text()
    old_pid = beat.pid
    os.kill(old_pid, signal.SIGKILL)
    killed_at = time.monotonic()
    chaos_stack.wait_for_new_start(beat, old_pid)
    restarted_after = time.monotonic() - killed_at
    # One of the two waiting beats takes the lock once the dead one's expires.
    deadline = time.monotonic() + 4 * BEAT_LOCK_SECONDS
    while time.monotonic() < deadline and not (
        beat.log_text().count("Acquired lock") == 2 or "Acquired lock" in second.log_text()
    ):
        time.sleep(0.2)
    time.sleep(3 * REQUEUE_EVERY_SECONDS)
    holders = beat.log_text().count("Acquired lock") - 1 + second.log_text().count("Acquired lock")
    assert holders == 1
    # Never two at once: the re-queue task is sent once per interval, across every beat's log.
    sends = sorted(
        log_times(beat.log_text(), "Sending due task requeue-stale-pending-comments")
        + log_times(second.log_text(), "Sending due task requeue-stale-pending-comments")
    )
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(sends)]
    assert len(sends) >= 4 and min(gaps) >= REQUEUE_EVERY_SECONDS / 2, gaps
    assert chaos_stack.supervisor.restarts.get("beat") == 1
    status, ready = _readyz(live_server)
    assert ready["beat"]["age_seconds"] < BEAT_LOCK_SECONDS, ready
    second.stop()
    report(
        "kill -9 beat",
        supervisor_restarted_beat_after_seconds=round(restarted_after, 1),
        lock_holders_after=holders,
        requeue_sends=len(sends),
        smallest_gap_seconds=round(min(gaps), 2),
        readyz=status,
    )


def test_an_empty_model_folder_holds_comments_then_they_are_scored_once_models_return(
    chaos_stack, live_server, article, tmp_path
):
    models = tmp_path / "models"
    models.mkdir()
    chaos_stack.redis.start()
    worker = chaos_stack.worker(ML_ARTIFACTS_DIR=str(models))
    chaos_stack.beat()
    submitter = Submitter(comments_url(live_server, article), count=40)
    submitter.start()
    submitter.finish()
    settle = wait_until_none_pending(article, timeout=STALE_SECONDS + 60)
    statuses = assert_each_decided_once(article, submitter.accepted)
    assert statuses == {"held": 40}
    labels = set(Comment.objects.filter(article=article).values_list("decision_label", flat=True))
    assert labels == {CLASSIFIER_UNAVAILABLE_LABEL}
    log = worker.log_text()
    assert "MODELS UNAVAILABLE" in log
    assert "raised unexpected" not in log and "ModelLoadError" not in log.split("MODELS")[0]
    time.sleep(2)
    status, ready = _readyz(live_server)
    assert status == 503 and any("models unavailable" in p for p in ready["problems"]), ready
    assert ready["held_classifier_unavailable"] == 40

    # The models come back (copied in, then moved into place): the worker loads them within
    # MODERATION_MODEL_RETRY_SECONDS, and the sweeper sends the held comments to be scored.
    for name in ("spam", "toxicity"):
        shutil.copytree(ARTIFACTS / name, tmp_path / f"copy-{name}")
        (tmp_path / f"copy-{name}").rename(models / name)
    back = time.monotonic()
    deadline = back + STALE_SECONDS + 120
    held = Comment.objects.filter(article=article, decision_label=CLASSIFIER_UNAVAILABLE_LABEL)
    while held.exists() and time.monotonic() < deadline:
        time.sleep(0.25)
    rescored_after = time.monotonic() - back
    assert not held.exists()
    for comment_id in submitter.accepted:
        moves = list(
            ModerationEvent.objects.filter(comment_id=comment_id).values_list(
                "from_status", "to_status", "actor"
            )
        )
        assert moves[0] == ("pending", "held", Actor.SYSTEM)
        assert len(moves) == 2 and moves[1][0] == "held" and moves[1][2] == Actor.SYSTEM, moves
    final = dict.fromkeys(Comment.Status.values, 0)
    for value in Comment.objects.filter(article=article).values_list("status", flat=True):
        final[value] += 1
    report(
        "empty model folder",
        accepted=len(submitter.accepted),
        held_classifier_unavailable=statuses.get("held"),
        seconds_to_all_held=round(settle, 1),
        seconds_to_rescored_after_models_back=round(rescored_after, 1),
        final=final,
    )
