"""WSGI entry point for production servers."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
application = get_wsgi_application()

# Scoring is synchronous in the web process (the Perspective-compatible API): load the models
# and the language identifier now, once per process (before forking under gunicorn --preload),
# not on some reader's first request.
from moderation import scoring  # noqa: E402
from moderation.perspective.languages import language_detect  # noqa: E402

scoring.models_ready()  # logs loudly, and the web still serves, when they are missing
language_detect("warm up")
