"""A "Moderators" group holding what a moderator needs in the admin and the moderator API."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Moderators"
# moderate_comment: approve, reject and send back (admin actions and the moderator API).
# The view permissions let the admin show the queue, the log and the sites' articles;
# change_article lets a moderator close comments on an article.
PERMISSIONS = [
    "moderate_comment",
    "view_comment",
    "view_moderationevent",
    "view_article",
    "change_article",
    "view_site",
]


def create_moderators_group(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); make them now.
    app_config = apps.get_app_config("moderation")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="moderation", codename__in=PERMISSIONS)
    )


def remove_moderators_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_append_only_log_and_moderate_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_moderators_group, remove_moderators_group)]
