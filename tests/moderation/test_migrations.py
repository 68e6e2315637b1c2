"""Data migrations, run forwards and backwards on a real schema."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from moderation import scoring

AFTER = ("moderation", "0004_site_thresholds_per_label")


def _all_but(migration):
    """Targets that leave every migration applied except this one and what depends on it
    (other branches' migrations stay, so the old schema is the real one, not a partial one)."""
    graph = MigrationExecutor(connection).loader.graph
    keep = set(graph.nodes) - set(graph.backwards_plan(migration))
    return [
        node for node in keep if not ({child.key for child in graph.node_map[node].children} & keep)
    ]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    if AFTER not in targets:
        # Back to before AFTER's parents' children, then forward to everything else.
        parents = [node.key for node in executor.loader.graph.node_map[AFTER].parents]
        executor.migrate(parents)
        executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_site_threshold_columns_become_one_row_per_label_and_back():
    old_apps = _migrate(_all_but(AFTER))
    try:
        site_model = old_apps.get_model("moderation", "Site")
        both = site_model.objects.create(
            name="a", domain="a.example", spam_publish_below=0.2, spam_reject_above=0.8
        )
        only_reject = site_model.objects.create(
            name="b", domain="b.example", toxicity_reject_above=0.5
        )
        site_model.objects.create(name="c", domain="c.example")

        new_apps = _migrate([AFTER])
        rows = {
            (row.site_id, row.label): (row.publish_below, row.reject_above)
            for row in new_apps.get_model("moderation", "SiteThreshold").objects.all()
        }
        # The bound a site left empty is the model's own, never above the one it set.
        model_publish = scoring.scores_for_text("x").default_thresholds["toxicity"]["publish"]
        assert rows == {
            (both.pk, "spam"): (0.2, 0.8),
            (only_reject.pk, "toxicity"): (min(model_publish, 0.5), 0.5),
        }

        old_apps = _migrate(_all_but(AFTER))
        restored = old_apps.get_model("moderation", "Site").objects.get(pk=both.pk)
        assert (restored.spam_publish_below, restored.spam_reject_above) == (0.2, 0.8)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
