"""The two staff groups and what they may do.

"Moderators" review comments and manage authors (trust, ban, lift; lifting is a change), and
nothing else. "Site managers" run the sites they are members of (SiteMembership): settings,
API keys, thresholds by label, allowed origins, notification settings and webhooks; they see
no comments and no other site.
"""

from django.db import migrations

from moderation.migrations._grants import permissions_create

MODERATORS = "Moderators"
MODERATOR_PERMISSIONS = [
    "moderate_comment",
    "view_comment",
    "view_moderationevent",
    "view_article",
    "view_site",
    *(f"{verb}_authortrust" for verb in ("view", "add", "change")),
    *(f"{verb}_authorban" for verb in ("view", "add", "change")),
    "view_authoraction",
]

SITE_MANAGERS = "Site managers"
# Work that adds a per-site setting grants its permissions in its own migration.
SITE_MANAGER_PERMISSIONS = [
    "view_site",
    "change_site",
    *(f"{verb}_apikey" for verb in ("view", "add", "change")),
    *(f"{verb}_sitethreshold" for verb in ("view", "add", "change", "delete")),
    *(f"{verb}_siteorigin" for verb in ("view", "add", "change", "delete")),
    *(f"{verb}_sitenotificationsettings" for verb in ("view", "add", "change")),
    *(f"{verb}_webhookendpoint" for verb in ("view", "add", "change", "delete")),
    "view_webhookmessage",
    "view_webhookdelivery",
]

GROUPS = {MODERATORS: MODERATOR_PERMISSIONS, SITE_MANAGERS: SITE_MANAGER_PERMISSIONS}


def create_groups(apps, schema_editor):
    permissions_create(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
