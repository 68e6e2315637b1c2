"""Web origins: how a site's allowed origins are written, and which origin a URL belongs to."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str:
    """`scheme://host[:port]`, lower case, the default port dropped; ValueError if not an origin."""
    raw = value.strip()
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise ValueError(f"{raw!r} is not a web origin.") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise ValueError("An origin starts with http:// or https://.")
    if not parts.hostname:
        raise ValueError("An origin names a host, e.g. https://news.example.com.")
    if parts.username or parts.password or parts.path not in {"", "/"}:
        raise ValueError("An origin has no user, path, query or fragment: scheme://host[:port].")
    if parts.query or parts.fragment or raw.endswith(("?", "#")):
        raise ValueError("An origin has no user, path, query or fragment: scheme://host[:port].")
    origin = origin_of_url(raw)
    assert origin is not None  # the checks above are stricter
    return origin


def origin_of_url(url: str) -> str | None:
    """The origin a page URL belongs to, or None when it is not an http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 address keeps its brackets
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"
