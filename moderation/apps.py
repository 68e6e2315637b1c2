from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Comment moderation"

    def ready(self) -> None:
        # Admin pages of the sub-packages; Django's autodiscovery only imports moderation.admin.
        from moderation.desk import admin as _desk_admin  # noqa: F401
        from moderation.keys import admin as _keys_admin  # noqa: F401
