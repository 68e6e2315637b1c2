"""Which webhook URLs may be called: public addresses only, checked against what DNS says now."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrlError(ValueError):
    """The URL may not be called: a bad scheme, or it resolves to a non-public address."""


@dataclass(frozen=True)
class Target:
    """A checked URL and the address to connect to (so DNS cannot change between check and use)."""

    scheme: str
    host: str
    port: int
    path: str
    address: str


def _address_refusal(address: IPAddress, *, allow_loopback: bool) -> str | None:
    """Why this address may not be called, or None if it may."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return _address_refusal(address.ipv4_mapped, allow_loopback=allow_loopback)
    if address.is_loopback:
        return None if allow_loopback else "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast or address.is_reserved or address.is_unspecified:
        return "a reserved address"
    if address.is_private:
        return "a private address"
    if not address.is_global:
        return "an address that is not public"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (an IP literal resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise UnsafeUrlError(f"{host} does not resolve: {error}") from None
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def webhook_target(url: str, *, allow_loopback: bool) -> Target:
    """Check a webhook URL and pick the address to call; raises UnsafeUrlError with the reason.

    Every address the name resolves to must be public, since the connection could use any of them.
    Loopback (127.0.0.0/8, ::1) is allowed only when allow_loopback is set, and then over plain
    http as well; everything else must be https.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeUrlError(f"Not a valid URL: {error}") from None
    if parts.scheme not in {"https", "http"}:
        raise UnsafeUrlError("Use an https:// URL.")
    if not parts.hostname:
        raise UnsafeUrlError("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeUrlError("Put no user name or password in the URL; deliveries are signed.")
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeUrlError(f"{host} does not resolve.")
    for raw in addresses:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
        refusal = _address_refusal(address, allow_loopback=allow_loopback)
        if refusal is not None:
            raise UnsafeUrlError(
                f"{host} resolves to {raw}, {refusal}; webhooks go to public hosts."
            )
    if parts.scheme == "http" and not all(
        ipaddress.ip_address(raw.split("%", 1)[0]).is_loopback for raw in addresses
    ):
        raise UnsafeUrlError("Use an https:// URL.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=addresses[0])
