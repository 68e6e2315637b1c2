"""Links in a comment: counted the way a spammer hides them, with the domains they point at."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Services that hide where a link goes: counted as suspect.
SHORTENERS = frozenset(
    {
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "tiny.cc",
        "rb.gy",
        "bit.do",
        "t.ly",
        "s.id",
        "v.gd",
        "lnkd.in",
    }
)

# Obfuscated dots ("example[.]com", "example (dot) com") read as dots.
_DOT = re.compile(r"\s*(?:\[\.\]|\(\.\)|\[dot\]|\(dot\)|\{dot\})\s*", re.IGNORECASE)
_SCHEME = re.compile(r"\b(?:h(?:tt|xx)ps?|ftp)://", re.IGNORECASE)
_TLDS = (
    "com|net|org|info|biz|io|ly|co|me|ru|cn|xyz|top|site|online|shop|club|app|dev|uk|de|fr|"
    "us|tk|ml|ga|cf|gq|pw|cc|tv|ws|su|in|eu|nl|pl|br|au|ca|es|it|ch|se|be|at|gl|gd|at|id|to"
)
# A host: labels and a known top-level domain, not inside an email address or a longer word.
_HOST = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r"))(?![\w-])",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:\b(?:h(?:tt|xx)ps?|ftp)://|\bwww\.)[^\s<>\"']+", re.IGNORECASE)


def _deobfuscate(text: str) -> str:
    return _DOT.sub(".", text)


def link_hosts(text: str) -> list[str]:
    """The host of every link in text, in order: full URLs first, then bare domains.

    A URL inside another URL's query string counts once (its host is part of the first link).
    """
    text = _deobfuscate(text)
    hosts: list[str] = []
    rest = []
    position = 0
    for match in _URL.finditer(text):
        rest.append(text[position : match.start()])
        position = match.end()
        address = _SCHEME.sub("", match.group(0)).lower()
        host = re.split(r"[/?#:]", address, maxsplit=1)[0].removeprefix("www.")
        if host:
            hosts.append(host)
    rest.append(text[position:])
    for chunk in rest:
        hosts.extend(match.group(1).lower().removeprefix("www.") for match in _HOST.finditer(chunk))
    return hosts


def on_domain(host: str, domains: Iterable[str]) -> str:
    """The listed domain host is on (itself or a subdomain), or ""."""
    for domain in domains:
        domain = domain.lower().strip().removeprefix("www.").strip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return domain
    return ""
