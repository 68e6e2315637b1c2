"""System checks that explain a problem a traceback would hide."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader

OLD_GRAPH_HINT = (
    "The migrations were squashed into one line before the first release. Start afresh: "
    "`make clean && make run` (deletes var/, the local SQLite database), or drop and recreate "
    "the PostgreSQL database named in DATABASE_URL, then run `manage.py migrate`."
)


@register(Tags.database)
def migrated_under_the_old_graph(databases: Any = None, **kwargs: Any) -> list[Error]:
    """A database with moderation migrations applied that no longer exist needs recreating."""
    errors = []
    for alias in databases or []:
        try:
            loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
            applied = {name for app, name in loader.applied_migrations if app == "moderation"}
        except DatabaseError:
            continue  # no database yet: nothing was migrated under any graph
        unknown = applied - {name for app, name in loader.disk_migrations if app == "moderation"}
        if unknown:
            errors.append(
                Error(
                    f"Database '{alias}' was migrated under an old migration graph "
                    f"({len(unknown)} applied migrations no longer exist, e.g. {min(unknown)}).",
                    hint=OLD_GRAPH_HINT,
                    id="moderation.E001",
                )
            )
    return errors
