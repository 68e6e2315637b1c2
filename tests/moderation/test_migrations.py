"""The migration graph: one line, in step with the models, and its data migration both ways."""

import importlib
import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from moderation.checks import migrated_under_the_old_graph

GROUPS = importlib.import_module("moderation.migrations.0002_groups")
HOUSE_RULES = importlib.import_module("moderation.migrations.0004_house_rules")
# Permissions later migrations grant to a group, on top of 0002's.
LATER_GRANTS = {HOUSE_RULES.SITE_MANAGERS: set(HOUSE_RULES.HOUSE_RULES_PERMISSIONS)}
LEARNING = importlib.import_module("moderation.migrations.0005_learning")
for _group, _codenames in LEARNING.GRANTS.items():
    LATER_GRANTS[_group] = LATER_GRANTS.get(_group, set()) | set(_codenames)


def migration_named(suffix: str):
    """A later migration by its name, whatever number rebasing gave it."""
    import pkgutil

    import moderation.migrations

    [name] = [
        module.name
        for module in pkgutil.iter_modules(moderation.migrations.__path__)
        if module.name.endswith(suffix)
    ]
    return importlib.import_module(f"moderation.migrations.{name}")


LATER_GRANTS[GROUPS.SITE_MANAGERS] |= set(migration_named("_privacy").SITE_MANAGER_PERMISSIONS)


def test_the_graph_has_exactly_one_leaf_and_no_merges():
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    nodes = [node for node in graph.nodes if node[0] == "moderation"]
    assert graph.leaf_nodes("moderation") == [max(nodes)]
    assert all(len(graph.node_map[node].parents & set(nodes)) <= 1 for node in nodes)


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    call_command("makemigrations", "--check", "--dry-run", stdout=io.StringIO())


@pytest.mark.django_db
def test_the_groups_hold_exactly_their_permissions():
    for name, codenames in GROUPS.GROUPS.items():
        held = set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))
        assert held == set(codenames) | LATER_GRANTS.get(name, set()), name


@pytest.mark.django_db(transaction=True)
def test_the_groups_migration_runs_backwards_and_forwards():
    executor = MigrationExecutor(connection)
    leaf = executor.loader.graph.leaf_nodes("moderation")
    try:
        executor.migrate([("moderation", "0001_initial")])
        assert not Group.objects.filter(name__in=GROUPS.GROUPS).exists()
        executor = MigrationExecutor(connection)
        executor.migrate([("moderation", "0002_groups")])
        assert set(Group.objects.values_list("name", flat=True)) >= set(GROUPS.GROUPS)
    finally:
        MigrationExecutor(connection).migrate(leaf)


@pytest.mark.django_db
def test_a_database_migrated_under_the_old_graph_is_named_with_how_to_start_afresh():
    assert migrated_under_the_old_graph(databases=["default"]) == []
    MigrationRecorder(connection).record_applied("moderation", "0011_merge_20261128_1252")
    [error] = migrated_under_the_old_graph(databases=["default"])
    assert "0011_merge_20261128_1252" in error.msg and "make clean" in error.hint
