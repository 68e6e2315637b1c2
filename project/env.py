"""Typed readers for settings that come from the environment; a bad value fails at start."""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines of a .env file; blank lines and # comments skipped, quotes removed."""
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name.isidentifier():
            raise ImproperlyConfigured(f"{path}:{number}: expected NAME=value, got {line!r}.")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load_env_file(path: Path) -> Path | None:
    """Set the file's variables that the environment does not already set; None if no file."""
    if not path.is_file():
        return None
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
    return path


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} is below the minimum of {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = os.environ.get(name) or default
    scheme = urlparse(raw).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: unsupported scheme {scheme!r}; "
            "use sqlite:///path/to/db.sqlite3 or postgres://user:password@host:port/name."
        )
    try:
        config = dj_database_url.parse(raw, conn_max_age=0)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a valid database URL: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name}={raw!r} names no database.")
    return dict(config)


def env_redis_url(name: str, default: str) -> str:
    raw = os.environ.get(name) or default
    parsed = urlparse(raw)
    if parsed.scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            f"{name}={raw!r}: expected a redis:// URL such as redis://127.0.0.1:6379/0."
        )
    if parsed.scheme != "unix":
        try:
            parsed.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            raise ImproperlyConfigured(f"{name}={raw!r} has an invalid port.") from None
        if not parsed.hostname:
            raise ImproperlyConfigured(f"{name}={raw!r} names no host.")
    return raw


_EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def env_email_url(name: str) -> dict | None:
    """Django's EMAIL_* settings from a URL such as smtp://user:password@host:587/?tls=1.

    smtps:// means implicit TLS (usually port 465); smtp:// with ?tls=1 or submission:// means
    STARTTLS (usually 587). console://, locmem:// and dummy:// pick those backends. None if unset.
    """
    raw = os.environ.get(name)
    if not raw:
        return None
    parsed = urlparse(raw)
    backend = _EMAIL_BACKENDS.get(parsed.scheme)
    if backend is None:
        raise ImproperlyConfigured(
            f"{name}: unsupported scheme {parsed.scheme!r}; use smtp://user:password@host:port, "
            f"smtps://, submission://, console://, locmem:// or dummy://."
        )
    config: dict = {"EMAIL_BACKEND": backend}
    if backend != _EMAIL_BACKENDS["smtp"]:
        return config
    try:
        port = parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"{name} has an invalid port.") from None
    if not parsed.hostname:
        raise ImproperlyConfigured(f"{name} names no host.")
    query = {key: value.lower() for key, value in parse_qsl(parsed.query)}
    implicit_tls = parsed.scheme == "smtps" or query.get("ssl") in _TRUE
    starttls = parsed.scheme == "submission" or query.get("tls") in _TRUE
    config.update(
        EMAIL_HOST=parsed.hostname,
        EMAIL_PORT=port or (465 if implicit_tls else 587 if starttls else 25),
        EMAIL_HOST_USER=unquote(parsed.username or ""),
        EMAIL_HOST_PASSWORD=unquote(parsed.password or ""),
        EMAIL_USE_SSL=implicit_tls,
        EMAIL_USE_TLS=starttls and not implicit_tls,
    )
    return config
