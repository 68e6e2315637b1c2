"""`manage.py bench --suite sites`: memory of a process scoring with ten site models."""

from __future__ import annotations

import tempfile
import time
from io import TextIOBase

import numpy as np
import psutil
from django.test import override_settings

from ml.site import N_BUCKETS, SiteLayer, save_site_layer
from moderation import scoring
from moderation.bench.suites import BenchOptions, suite
from moderation.learning import versions

SITES = 10
MB = 1024 * 1024


def _rss() -> float:
    return psutil.Process().memory_info().rss / MB


@suite("sites")
def run(options: BenchOptions, out: TextIOBase) -> None:
    """Load the shared models, then ten dense site layers lazily, scoring one comment per site."""
    rng = np.random.default_rng(0)
    with (
        tempfile.TemporaryDirectory() as tmp,
        override_settings(ML_VERSIONS_DIR=tmp, ML_RELOAD_CHECK_SECONDS=0),
    ):
        scoring.models_cache_clear()
        before = _rss()
        scoring.scores_for_text("Who inspects the prisons, and how often?")
        shared = _rss()
        doc: dict = {"shared": {}, "sites": {}, "shadow": {}}
        sizes = []
        for site_id in range(1, SITES + 1):
            for name in ("toxicity", "spam"):
                # Dense weights: every bucket non-zero, the largest a layer can be.
                layer = SiteLayer(
                    name, name, 1.0, 0.0, rng.normal(0, 0.1, N_BUCKETS).astype(np.float32)
                )
                folder = f"sites/{site_id}/{name}/bench"
                save_site_layer(layer, versions.versions_dir() / folder)
                sizes.append(
                    sum(f.stat().st_size for f in (versions.versions_dir() / folder).iterdir())
                )
                entry = {"folder": folder, "version": f"bench-{site_id}-{name}", "id": 0}
                doc["sites"].setdefault(str(site_id), {})[name] = entry
        versions.marker_write(doc)
        started = time.perf_counter()
        for site_id in range(1, SITES + 1):
            scoring.scores_for_text("Who inspects the prisons, and how often?", site_id=site_id)
        loaded = time.perf_counter() - started
        after = _rss()
        scoring.models_cache_clear()
    out.write(
        f"sites: {SITES} sites x 2 models, dense layers of {N_BUCKETS} weights "
        f"({max(sizes) / 1024:.0f} KB on disk each)\n"
        f"  RSS: {before:.0f} MB with Django, {shared:.0f} MB with the shared models, "
        f"{after:.0f} MB with {SITES * 2} site layers loaded "
        f"(+{after - shared:.1f} MB; first score per site incl. loading: "
        f"{loaded / SITES * 1000:.0f} ms)\n"
    )
