"""Privacy requests (issue 19), and the logs append-only in PostgreSQL itself.

The trigger refuses DELETE on the moderation events, author actions and privacy requests, and
any UPDATE that changes a column other than the ones erasure may overwrite (the first argument
is the user column that may become NULL when that account is deleted, ON DELETE SET NULL; the
rest are the erasable free-text columns, the models' ERASABLE_FIELDS). It is a row trigger, and
TRUNCATE fires no row triggers: the test suite's flush (pytest-django's transactional tests run
`flush`, which is TRUNCATE on PostgreSQL) still empties these tables. No statement-level
TRUNCATE trigger is installed for that reason; TRUNCATE needs the table owner's rights anyway.
On other databases (SQLite in development) the ORM's refusal (moderation.append_only) stands
alone and this installs nothing.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from moderation.migrations import _grants

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION moderation_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    user_column text := TG_ARGV[0];
    kept_old jsonb;
    kept_new jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is append-only: rows cannot be deleted', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    -- Every column but the erasable ones and the user column must stay as it was.
    kept_old := to_jsonb(OLD) - TG_ARGV;
    kept_new := to_jsonb(NEW) - TG_ARGV;
    IF kept_new IS DISTINCT FROM kept_old
        OR (to_jsonb(NEW) -> user_column IS DISTINCT FROM to_jsonb(OLD) -> user_column
            AND to_jsonb(NEW) ->> user_column IS NOT NULL)
    THEN
        RAISE EXCEPTION '% is append-only: only % may be changed (erasure)', TG_TABLE_NAME,
            array_to_string(TG_ARGV[1:], ', ') USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END;
$$;
"""

# Table, the user column that may become NULL, then the columns erasure may overwrite.
APPEND_ONLY_TABLES = {
    "moderation_moderationevent": ("moderator_id", "reason"),
    "moderation_authoraction": ("moderator_id", "note"),
    "moderation_privacyrequest": ("requested_by_id",),
}


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(APPEND_ONLY_FUNCTION, params=None)  # RAISE uses % placeholders
    for table, columns in APPEND_ONLY_TABLES.items():
        arguments = ", ".join(f"'{column}'" for column in columns)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION moderation_append_only({arguments})"
        )


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS moderation_append_only()")


SITE_MANAGER_PERMISSIONS = ["view_privacyrequest", "export_author", "erase_author"]


GRANTS = {"Site managers": SITE_MANAGER_PERMISSIONS}


# Module-level functions (not closures), so that a future squash can refer to them.
def grant(apps, schema_editor):
    _grants.grant(apps, GRANTS)


def revoke(apps, schema_editor):
    _grants.revoke(apps, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0006_comment_last_enqueued_and_notification_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PrivacyRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("export", "Export"), ("erase", "Erase")], max_length=16
                    ),
                ),
                ("email_hash", models.CharField(db_index=True, editable=False, max_length=64)),
                ("with_bodies", models.BooleanField(default=False)),
                (
                    "counts",
                    models.JSONField(
                        blank=True, default=dict, help_text="What was exported or erased."
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: run from the command line.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "site",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty: every site.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="moderation.site",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("export_author", "Can export everything stored about an author"),
                    ("erase_author", "Can erase an author's personal data"),
                ],
            },
        ),
        migrations.RunPython(install_triggers, remove_triggers),
        migrations.RunPython(grant, revoke),
    ]
