"""Moderators review comments and manage authors, nothing else; Site managers run their sites.

"Moderators" gains trusting and banning authors (view/add/change; lifting is a change) and the
author log, and loses change_article: editing articles is not reviewing comments.
"Site managers" manage the settings and API keys of the sites they are members of
(SiteMembership); they see no comments and no other site.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODERATORS = "Moderators"
MODERATORS_GAIN = [
    "view_authortrust",
    "add_authortrust",
    "change_authortrust",
    "view_authorban",
    "add_authorban",
    "change_authorban",
    "view_authoraction",
]
MODERATORS_LOSE = ["change_article"]

SITE_MANAGERS = "Site managers"
# Other work adds per-site settings (thresholds, origins, rules): grant theirs here as they land.
SITE_MANAGER_PERMISSIONS = [
    "view_site",
    "change_site",
    "view_apikey",
    "add_apikey",
    "change_apikey",
]


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames)


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.add(*_permissions(apps, MODERATORS_GAIN))
    moderators.permissions.remove(*_permissions(apps, MODERATORS_LOSE))
    site_managers, _ = Group.objects.get_or_create(name=SITE_MANAGERS)
    site_managers.permissions.set(_permissions(apps, SITE_MANAGER_PERMISSIONS))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=SITE_MANAGERS).delete()
    moderators = Group.objects.filter(name=MODERATORS).first()
    if moderators is not None:
        moderators.permissions.remove(*_permissions(apps, MODERATORS_GAIN))
        moderators.permissions.add(*_permissions(apps, MODERATORS_LOSE))


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_backfill_comment_ip_hashes")]

    operations = [migrations.RunPython(forwards, backwards)]
