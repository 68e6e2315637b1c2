"""Keyed hashes of IP addresses and of their networks, so bans never need the plain address.

An address is hashed as itself and as its network (/24 for IPv4, /64 for IPv6). A network ban
stores the network's hash, and a comment carries both hashes, so matching is an equality test.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings

IPV4_NETWORK_PREFIX = 24
IPV6_NETWORK_PREFIX = 64

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def hash_key() -> bytes:
    """MODERATION_IP_HASH_KEY if set, else a key derived from SECRET_KEY for this purpose only."""
    configured = getattr(settings, "MODERATION_IP_HASH_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"moderation.ip-hash", hashlib.sha256).digest()


def _keyed(text: str) -> str:
    return hmac.new(hash_key(), text.encode(), hashlib.sha256).hexdigest()


def parse_address(value: str) -> IPAddress:
    """An address in canonical form; an IPv4-mapped IPv6 address counts as the IPv4 one."""
    address = ipaddress.ip_address(value.strip())
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def network_of(address: IPAddress) -> IPNetwork:
    prefix = IPV4_NETWORK_PREFIX if address.version == 4 else IPV6_NETWORK_PREFIX
    return ipaddress.ip_network(f"{address}/{prefix}", strict=False)


def parse_network(value: str) -> IPNetwork:
    """A /24 or /64 given as such, or the one an address lies in; other sizes are refused."""
    value = value.strip()
    if "/" not in value:
        return network_of(parse_address(value))
    network = ipaddress.ip_network(value, strict=False)
    expected = IPV4_NETWORK_PREFIX if network.version == 4 else IPV6_NETWORK_PREFIX
    if network.prefixlen != expected:
        raise ValueError(
            f"network bans cover a /{IPV4_NETWORK_PREFIX} (IPv4) or /{IPV6_NETWORK_PREFIX} (IPv6), "
            f"not a /{network.prefixlen}"
        )
    return network


def address_hash(address: IPAddress) -> str:
    return _keyed(f"address:{address}")


def network_hash(network: IPNetwork) -> str:
    return _keyed(f"network:{network}")


def email_hash(email: str) -> str:
    """Names an author in records that must not hold their address (privacy requests)."""
    return _keyed(f"email:{email.strip().lower()}")


def comment_ip_hashes(ip_address: str | None) -> tuple[str, str]:
    """The (address, network) hashes a comment stores; empty when it has no valid address."""
    if not ip_address:
        return "", ""
    try:
        address = parse_address(ip_address)
    except ValueError:
        return "", ""
    return address_hash(address), network_hash(network_of(address))
