"""The one settings module: each deployment difference comes from the environment."""

from datetime import timedelta
from pathlib import Path
from typing import Any

from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from project.env import (
    env_bool,
    env_database,
    env_email_url,
    env_int,
    env_list,
    env_redis_url,
    env_str,
    load_env_file,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# A deployment's settings may live in a .env beside manage.py (the template is .env.example);
# variables already in the environment win. DJANGO_ENV_FILE names another file, or none if empty.
_ENV_FILE = env_str("DJANGO_ENV_FILE", str(BASE_DIR / ".env"))
ENV_FILE = load_env_file(Path(_ENV_FILE)) if _ENV_FILE else None
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# Off unless DJANGO_DEBUG=1: debug pages show settings and every URL. `make run`, `make test` and
# pytest (pyproject's [tool.pytest.ini_options] env) turn it on for development.
DEBUG = env_bool("DJANGO_DEBUG", False)
_DEV_SECRET_KEY = "dev-only-insecure-key-change-me"  # noqa: S105 - refused below when DEBUG is off
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")
if not DEBUG and SECRET_KEY in {"", _DEV_SECRET_KEY}:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY to a long random string (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
        "or set DJANGO_DEBUG=1 on a development machine."
    )
_LOCAL_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", _LOCAL_HOSTS if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set DJANGO_ALLOWED_HOSTS to the host names this service answers to, comma-separated "
        "(e.g. comments.example.com), or set DJANGO_DEBUG=1 on a development machine."
    )
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS only (redirect, HSTS, secure cookies) unless DJANGO_HTTPS=0, which debug implies; tests
# and the local stack run over plain http.
HTTPS = env_bool("DJANGO_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# A load balancer's health checks often come over plain http from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31_536_000, minimum=0) if HTTPS else 0
# HSTS covers subdomains and asks to be preloaded into browsers unless turned off: set
# DJANGO_HSTS_INCLUDE_SUBDOMAINS=0 if a subdomain still serves plain http, and
# DJANGO_HSTS_PRELOAD=0 if the domain must not be submitted to hstspreload.org.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# Behind a trusted proxy that terminates TLS, its X-Forwarded-Proto says the request was https.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "moderation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the widget among them) straight from the app server, in production too.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Sees a view's database error before the others: 503 with Retry-After instead of 500.
    "moderation.api.errors.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: answers a locked-out login with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "project.urls"
WSGI_APPLICATION = "project.wsgi.application"
ASGI_APPLICATION = "project.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default so a fresh machine needs nothing installed; DATABASE_URL picks PostgreSQL.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
# Seconds a web or worker process keeps its database connection between requests and tasks; 0
# opens a new one for each, which on PostgreSQL costs a backend process and a login, about as
# much CPU as a whole comment submission (`manage.py bench --suite api`) and more than deciding
# a comment in a batch (README, "Batches"). A kept connection is checked before it is used
# again, so one broken by a database restart is replaced.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 600, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and immediate transactions let the web server and a worker process write side by side.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that a worker process in end-to-end tests sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Every password check goes through django-axes first (the admin login and any other form that
# calls authenticate()): LOGIN_FAILURE_LIMIT failures lock that username, and separately that
# address, for LOGIN_LOCKOUT_MINUTES. Each attempt is logged (the "axes" logger and the admin's
# "Access attempts"/"Access failures"). Unlock at once with `manage.py axes_reset_username NAME`,
# `axes_reset_ip ADDRESS` or `axes_reset`.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "moderation.client_ip.client_ip"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Log lines name the account attacked; the address stays masked there (the admin shows it).
AXES_SENSITIVE_PARAMETERS = ["ip_address"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Throttle counters must be shared by every web process: point CACHE_URL at Redis in production.
CACHE_URL = env_str("CACHE_URL", "locmem://")
if CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "project.cache.RedisCache",  # Django's, one client per pool
            "LOCATION": env_redis_url("CACHE_URL", CACHE_URL),
        }
    }

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Without `collectstatic` (development, tests) WhiteNoise serves files from the apps' folders.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)
if WHITENOISE_USE_FINDERS:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing one

# Content-Security-Policy on every page the service renders (the admin, the queue, the
# no-JavaScript thread page, Swagger UI): scripts and styles come from this origin's files or
# carry the response's nonce; nothing inline runs. The one hash is the <style> Django's admin
# change list inlines for a list without actions.
_ADMIN_CHANGELIST_STYLE = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE, _ADMIN_CHANGELIST_STYLE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Django REST Framework ---------------------------------------------------------------
REST_FRAMEWORK: dict[str, Any] = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "moderation.api.authentication.ModeratorTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["moderation.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "moderation.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # A backstop for every site together: ten times a site's default flood limit (5 a
        # minute per address and per email, moderation.rules.models.SiteRules.flood_per_minute).
        "comment_submit": env_str("COMMENT_SUBMIT_RATE", "50/minute"),
        # Refused submissions (400, 404, 409, 415) count here instead: a developer debugging an
        # integration is not locked out of submitting, while probing is still slowed.
        "comment_submit_invalid": env_str("COMMENT_INVALID_SUBMIT_RATE", "120/minute"),
        "article_auto_create": env_str("ARTICLE_AUTO_CREATE_RATE", "10/minute"),
        # Anonymous reads: threads and articles per address (the widget, the no-JS page, the
        # public list), status polls per token (the widget polls each comment of its reader at
        # most every 2 s), and polls that match no comment per address (guessed tokens or ids).
        "public_read": env_str("PUBLIC_READ_RATE", "600/minute"),
        "status_poll": env_str("STATUS_POLL_RATE", "120/minute"),
        "status_poll_miss": env_str("STATUS_POLL_MISS_RATE", "60/minute"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SPECTACULAR_SETTINGS = {
    "TITLE": "Comment moderation API",
    "DESCRIPTION": "Submit reader comments, read published threads, and moderate held comments.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and Redoc from drf-spectacular-sidecar's static files: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {"CommentStatusEnum": "moderation.models.Comment.Status"},
}

# Sites embed the public comment API from their own origins; it carries no cookies. A request
# gets a CORS grant only from an origin the owning site lists (moderation.embed.cors). Allowing
# every origin is for development alone: `make run` turns it on for its demo page.
CORS_ALLOW_ALL_ORIGINS = env_bool("CORS_ALLOW_ALL_ORIGINS", False)
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/api/v1/(articles|comments|embed)/.*$"
# The widget tells a reader who posts too fast when to try again.
CORS_EXPOSE_HEADERS = ["Retry-After"]
# The widget sends an author's status token in a header, which keeps it out of access logs.
CORS_ALLOW_HEADERS = (*default_headers, "x-status-token")

# --- Celery (Redis broker) ---------------------------------------------------------------
REDIS_URL = env_redis_url("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "moderation")
CELERY_TASK_IGNORE_RESULT = True
# A worker that dies mid-task leaves the message for the next one: no comment stays unscored.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Messages a worker process reserves ahead of the one it runs (each stays unacknowledged until
# its task ends, so a killed worker's are delivered again). Scoring messages are coalesced (few,
# each a batch): one at a time leaves a batch's successor to an idle worker, not to a busy one.
CELERY_WORKER_PREFETCH_MULTIPLIER = env_int("CELERY_WORKER_PREFETCH_MULTIPLIER", 1, minimum=1)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# One beat per deployment, run as a process of its own (`celery -A project beat`): RedBeat keeps
# the schedule in Redis and holds a lock there that it extends on every tick; a second beat waits
# for it, and the lock expires BEAT_LOCK_TIMEOUT_SECONDS after its holder dies.
CELERY_BEAT_SCHEDULER = "moderation.health.beat:BeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("BEAT_MAX_LOOP_SECONDS", 5, minimum=1)
CELERY_REDBEAT_REDIS_URL = REDIS_URL
CELERY_REDBEAT_KEY_PREFIX = f"redbeat:{CELERY_TASK_DEFAULT_QUEUE}:"
CELERY_REDBEAT_LOCK_TIMEOUT = env_int("BEAT_LOCK_TIMEOUT_SECONDS", 30, minimum=2)
if CELERY_REDBEAT_LOCK_TIMEOUT <= CELERY_BEAT_MAX_LOOP_INTERVAL:
    raise ImproperlyConfigured(
        "BEAT_LOCK_TIMEOUT_SECONDS must be longer than BEAT_MAX_LOOP_SECONDS: the beat extends "
        "its lock once a tick."
    )
_REQUEUE_EVERY_SECONDS = env_int("MODERATION_REQUEUE_EVERY_SECONDS", 60, minimum=1)
CELERY_BEAT_SCHEDULE = {
    "requeue-stale-pending-comments": {
        "task": "moderation.tasks.requeue_stale_pending_comments",
        "schedule": _REQUEUE_EVERY_SECONDS,
    },
    "send-notification-outbox": {
        "task": "moderation.notify.tasks.outbox_send_due_task",
        "schedule": _REQUEUE_EVERY_SECONDS,
    },
    "purge-analyzed-texts": {
        "task": "moderation.perspective.tasks.purge_analyzed_texts",
        "schedule": env_int("PERSPECTIVE_PURGE_EVERY_SECONDS", 3600, minimum=1),
    },
    "erase-expired-comment-addresses": {
        "task": "moderation.privacy.tasks.erase_expired_comment_addresses",
        "schedule": env_int("COMMENT_IP_ERASE_EVERY_SECONDS", 3600, minimum=1),
    },
    "send-held-comment-emails": {
        "task": "moderation.notify.tasks.held_notices_send_due_task",
        "schedule": 60,
    },
}

# --- Moderation ----------------------------------------------------------------------------
ML_ARTIFACTS_DIR = env_str("ML_ARTIFACTS_DIR", str(BASE_DIR / "ml" / "artifacts"))
# Retraining (moderation/learning): the training data, the promoted versions (outside the
# repository; ML_ARTIFACTS_DIR stays the shipped default every site starts from), and how often
# a process looks at the versions' marker file for a newly promoted one.
ML_DATA_DIR = env_str("ML_DATA_DIR", str(BASE_DIR.parent / "shared" / "data"))
ML_VERSIONS_DIR = env_str("ML_VERSIONS_DIR", str(BASE_DIR / "var" / "ml-versions"))
ML_RELOAD_CHECK_SECONDS = env_int("ML_RELOAD_CHECK_SECONDS", 5, minimum=0)
# Every label the models score, or will once retrained (issue 8): a site may set thresholds for
# these. A test checks that the shipped models score no label missing here.
MODERATION_LABELS = (
    "spam",
    "toxicity",
    "severe_toxicity",
    "insult",
    "threat",
    "identity_attack",
    "profanity",
)
# Pending comments older than this are queued again, in case the broker was down at submit time.
MODERATION_STALE_PENDING_SECONDS = env_int("MODERATION_STALE_PENDING_SECONDS", 120, minimum=1)
MODERATION_REQUEUE_EVERY_SECONDS = _REQUEUE_EVERY_SECONDS
# A scoring message decides its own comment and up to this many minus one other pending ones
# (oldest first) in one transaction (moderation.batch); 1 decides each comment alone.
MODERATION_SCORE_BATCH = env_int("MODERATION_SCORE_BATCH", 100, minimum=1)
# A process whose models failed to load tries again at most this often (restored artifacts are
# picked up without a restart); meanwhile its comments are held as "classifier unavailable".
MODERATION_MODEL_RETRY_SECONDS = env_int("MODERATION_MODEL_RETRY_SECONDS", 30, minimum=1)

# --- Health (/healthz, /readyz) -------------------------------------------------------------
# The full /readyz report goes to staff and to requests with this token (Authorization: Bearer
# or X-Monitoring-Token); others get the bare status. Empty: staff only.
MONITORING_TOKEN = env_str("MONITORING_TOKEN", "")
# Each worker process writes a heartbeat this often; three missed ones and it counts as gone.
HEALTH_HEARTBEAT_SECONDS = env_int("HEALTH_HEARTBEAT_SECONDS", 5, minimum=1)
# The beat ticks every BEAT_MAX_LOOP_SECONDS at most; silent longer than its lock, it is gone.
HEALTH_BEAT_MAX_AGE_SECONDS = env_int(
    "HEALTH_BEAT_MAX_AGE_SECONDS", CELERY_REDBEAT_LOCK_TIMEOUT, minimum=1
)
# A comment pending (or a notification in the outbox) longer than this means the pipeline stalls.
HEALTH_PENDING_MAX_AGE_SECONDS = env_int(
    "HEALTH_PENDING_MAX_AGE_SECONDS",
    MODERATION_STALE_PENDING_SECONDS + 2 * MODERATION_REQUEUE_EVERY_SECONDS,
    minimum=1,
)
# Days a comment keeps its raw IP address and user agent; then beat erases them (every
# COMMENT_IP_ERASE_EVERY_SECONDS). The address's keyed hashes stay for bans and flood control.
COMMENT_IP_RETENTION_DAYS = env_int("COMMENT_IP_RETENTION_DAYS", 30, minimum=0)

# The demo publisher page that `make run` serves, linked from the service's root page.
DEMO_PAGE_URL = env_str("DEMO_PAGE_URL", "")

# --- Perspective-compatible API (/v1alpha1/) ----------------------------------------------
# Queries per second for an API key whose own limit is empty. Counted in the cache, so with
# several web processes point CACHE_URL at Redis for one shared count.
PERSPECTIVE_DEFAULT_QPS = env_int("PERSPECTIVE_DEFAULT_QPS", 10, minimum=1)
# A web process trusts a key it checked for this long (a revoked key works that long at most).
PERSPECTIVE_KEY_CACHE_SECONDS = env_int("PERSPECTIVE_KEY_CACHE_SECONDS", 2, minimum=0)
# Each web process adds up its request counts and writes them at most this often (0: at once).
PERSPECTIVE_USAGE_FLUSH_SECONDS = env_int("PERSPECTIVE_USAGE_FLUSH_SECONDS", 5, minimum=0)

# --- Email -----------------------------------------------------------------------------------
# Printed to the worker's output in development; SMTP from EMAIL_URL or the EMAIL_* variables.
# EMAIL_URL (e.g. smtp://user:password@smtp.example.com:587/?tls=1) wins over the EMAIL_* parts.
_EMAIL_URL = env_email_url("EMAIL_URL") or {}
EMAIL_BACKEND = _EMAIL_URL.get("EMAIL_BACKEND") or env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = _EMAIL_URL.get("EMAIL_HOST") or env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = _EMAIL_URL.get("EMAIL_PORT") or env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = _EMAIL_URL.get("EMAIL_HOST_USER", env_str("EMAIL_HOST_USER", ""))
EMAIL_HOST_PASSWORD = _EMAIL_URL.get("EMAIL_HOST_PASSWORD", env_str("EMAIL_HOST_PASSWORD", ""))
EMAIL_USE_TLS = _EMAIL_URL.get("EMAIL_USE_TLS", env_bool("EMAIL_USE_TLS", False))
EMAIL_USE_SSL = _EMAIL_URL.get("EMAIL_USE_SSL", env_bool("EMAIL_USE_SSL", False))
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("Set EMAIL_USE_TLS (STARTTLS) or EMAIL_USE_SSL, not both.")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Comments <comments@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Notifications (moderation/notify/) ------------------------------------------------------
# Where links in emails (confirm, unsubscribe, the admin) point: this service's public address.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A confirmation link works this long; an address gets at most one per NOTIFY_CONFIRM_EVERY_HOURS.
NOTIFY_CONFIRM_MAX_AGE_DAYS = env_int("NOTIFY_CONFIRM_MAX_AGE_DAYS", 7, minimum=1)
NOTIFY_CONFIRM_EVERY_HOURS = env_int("NOTIFY_CONFIRM_EVERY_HOURS", 24, minimum=0)
# Notifications wait in the outbox when the broker can't take them; rows older than this are
# sent by the sweeper (every MODERATION_REQUEUE_EVERY_SECONDS).
NOTIFY_OUTBOX_AFTER_SECONDS = env_int("NOTIFY_OUTBOX_AFTER_SECONDS", 30, minimum=1)
# Development and tests only: let webhooks reach 127.0.0.1/::1 (then over plain http too).
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1)
# Attempts per event, with exponential backoff: 30 s, 1 min, 2 min, ... up to an hour apart.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8, minimum=1)
WEBHOOK_BACKOFF_SECONDS = env_int("WEBHOOK_BACKOFF_SECONDS", 30, minimum=1)
WEBHOOK_BACKOFF_MAX_SECONDS = env_int("WEBHOOK_BACKOFF_MAX_SECONDS", 3600, minimum=1)
# Key for the keyed hashes of commenters' IP addresses that IP and network bans match. Empty:
# derived from SECRET_KEY, so rotating SECRET_KEY then voids IP bans; set this to keep them.
MODERATION_IP_HASH_KEY = env_str("MODERATION_IP_HASH_KEY", "")
