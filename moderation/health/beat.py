"""The one periodic scheduler: RedBeat (its lock in Redis expires if its holder dies), plus a
heartbeat so that /readyz can tell when the beat last ran.

Start it as a process of its own: `celery -A project beat` (settings name this scheduler).
"""

from __future__ import annotations

from typing import Any

from redbeat import RedBeatScheduler  # type: ignore[import-untyped]

from moderation.health.heartbeats import beat_heartbeat_write


class BeatScheduler(RedBeatScheduler):
    """RedBeat's scheduler; every tick (which first extends the lock) is recorded."""

    def tick(self, *args: Any, **kwargs: Any) -> float:
        interval = super().tick(*args, **kwargs)
        beat_heartbeat_write()
        return interval
