#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import shlex
import sys

DEVELOPMENT_HINT = 'For development: make manage ARGS="{args}" (debug on, as make run).'


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    args = shlex.join(sys.argv[1:]) or "help"
    try:
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
    except ImportError:
        sys.exit(
            "manage.py: Django is not installed for this Python; run .venv/bin/python manage.py "
            f"(make install-runtime creates .venv). {DEVELOPMENT_HINT.format(args=args)}"
        )
    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings, which check the environment
    except ImproperlyConfigured as error:
        # One line, not the end of a traceback: what to set, and how to run it in development.
        sys.exit(f"manage.py: {error} {DEVELOPMENT_HINT.format(args=args)}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
