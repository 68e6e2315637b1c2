from django.apps import AppConfig


class ModerationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"
    verbose_name = "Comment moderation"

    def ready(self) -> None:
        from corsheaders.signals import check_request_enabled

        from moderation import checks as _checks  # noqa: F401

        # Every task registered in every process: moderation.queue sends them by name, and
        # Celery's autodiscovery finds moderation.tasks only.
        from moderation import tasks as _tasks  # noqa: F401

        # Admin pages of the sub-packages; Django's autodiscovery only imports moderation.admin.
        from moderation.authors import admin as _authors_admin  # noqa: F401
        from moderation.desk import admin as _desk_admin  # noqa: F401
        from moderation.embed import admin as _embed_admin  # noqa: F401
        from moderation.embed.cors import origin_allowed_for_route

        # Worker pool processes write heartbeats that /readyz reads.
        from moderation.health import worker as _health_worker  # noqa: F401
        from moderation.keys import admin as _keys_admin  # noqa: F401
        from moderation.keys import schema as _keys_schema  # noqa: F401
        from moderation.learning import admin as _learning_admin  # noqa: F401
        from moderation.notify import admin as _notify_admin  # noqa: F401
        from moderation.notify import tasks as _notify_tasks  # noqa: F401
        from moderation.perspective import admin as _perspective_admin  # noqa: F401
        from moderation.perspective import redaction
        from moderation.perspective import tasks as _perspective_tasks  # noqa: F401
        from moderation.privacy import admin as _privacy_admin  # noqa: F401
        from moderation.privacy import tasks as _privacy_tasks  # noqa: F401

        # CORS grants for the public API come from the allowed origins of the article's site.
        check_request_enabled.connect(origin_allowed_for_route, dispatch_uid="embed-origins")
        # The `key` query parameter of the Perspective-compatible API never reaches a log line.
        redaction.install()
