"""Site managers also manage the per-site settings that landed beside the keys: thresholds by
label, allowed origins, notification settings and webhooks (each admin is scoped to their sites).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SITE_MANAGERS = "Site managers"
SITE_MANAGER_GAIN = [
    *(f"{verb}_sitethreshold" for verb in ("view", "add", "change", "delete")),
    *(f"{verb}_siteorigin" for verb in ("view", "add", "change", "delete")),
    *(f"{verb}_sitenotificationsettings" for verb in ("view", "add", "change")),
    *(f"{verb}_webhookendpoint" for verb in ("view", "add", "change", "delete")),
    "view_webhookmessage",
    "view_webhookdelivery",
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
    site_managers, _ = Group.objects.get_or_create(name=SITE_MANAGERS)
    site_managers.permissions.add(*_permissions(apps, SITE_MANAGER_GAIN))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    site_managers = Group.objects.filter(name=SITE_MANAGERS).first()
    if site_managers is not None:
        site_managers.permissions.remove(*_permissions(apps, SITE_MANAGER_GAIN))


class Migration(migrations.Migration):
    dependencies = [("moderation", "0009_merge_20261128_1231")]

    operations = [migrations.RunPython(forwards, backwards)]
