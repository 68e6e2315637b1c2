"""What the migrations that grant permissions to the Moderators and Site managers groups share.

Its name starts with "_", so Django's migration loader does not take it for a migration.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions


def permissions_create(apps) -> None:
    """Create the app's permissions now: normally that happens after all migrations
    (post_migrate), too late for a migration that grants them."""
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None


def _permissions(apps, codenames: list[str]):
    return apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="moderation", codename__in=codenames
    )


def grant(apps, groups: dict[str, list[str]]) -> None:
    """Add each group's permissions, creating the group if needed."""
    permissions_create(apps)
    Group = apps.get_model("auth", "Group")
    for name, codenames in groups.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, groups: dict[str, list[str]]) -> None:
    """Remove exactly those permissions again; the groups stay."""
    for group in apps.get_model("auth", "Group").objects.filter(name__in=groups):
        group.permissions.remove(*_permissions(apps, groups[group.name]))
