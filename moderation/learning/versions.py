"""The versions folder (ML_VERSIONS_DIR) and its marker file, which every process watches.

The marker, `live.json`, names the live shared version of each model, each site's live layer and
each site's shadow candidate, as folders relative to ML_VERSIONS_DIR. It is rewritten atomically
from the database whenever a version is promoted, shadowed or rolled back; processes reread it
when its modification time changes (moderation.scoring), so a promotion needs no restart.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings

MARKER_FILE = "live.json"


def versions_dir() -> Path:
    return Path(settings.ML_VERSIONS_DIR)


def marker_path() -> Path:
    return versions_dir() / MARKER_FILE


def marker_stamp() -> tuple[int, int] | None:
    """(mtime in ns, size) of the marker, or None when no version was ever promoted."""
    try:
        stat = marker_path().stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def marker_read() -> dict[str, Any]:
    try:
        doc = json.loads(marker_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def marker_write(doc: dict[str, Any]) -> None:
    """Replace the marker in one rename, so a reader never sees half a file."""
    folder = versions_dir()
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".live-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=2, sort_keys=True)
    os.replace(tmp, marker_path())
