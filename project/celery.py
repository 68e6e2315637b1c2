"""The Celery application; workers start it with `celery -A project worker`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fixup closes every database connection after each task unless this is set
# (it then closes them every 2 x N tasks): a new PostgreSQL connection per message cost ~10 ms,
# more than deciding a comment. moderation.tasks closes a connection that is broken or older
# than CONN_MAX_AGE before each task instead, as Django does before each request.
app.conf["CELERY_DB_REUSE_MAX"] = 1000
