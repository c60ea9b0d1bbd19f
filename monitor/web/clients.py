"""Which client is this: the peer address, or behind trusted proxies the forwarded one.

Behind a reverse proxy every request comes from the proxy, so a per-client rate limit
would put everyone in one bucket. ``X-Forwarded-For`` names the client, but any client can
send that header, so it is believed only from a configured proxy, and only as far as the
chain of trusted proxies goes: each proxy appends the address it received the request
from, so the right-most address that is not a trusted proxy is the client. Addresses to
its left were written by the client itself and are ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

UNKNOWN = "?"


def parse_networks(text: str) -> tuple[Network, ...]:
    """``"10.0.0.5, 172.16.0.0/12, ::1"`` as networks; ValueError names a bad entry."""
    networks = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"{entry!r} is not an address or CIDR (e.g. 10.0.0.5, 172.16.0.0/12, ::1)"
            ) from None
    return tuple(networks)


def parse_address(text: str) -> Address | None:
    """An address as proxies write it (``203.0.113.5``, ``203.0.113.5:4711``, ``[2001:db8::1]:443``,
    ``::ffff:10.0.0.1``), IPv4-mapped IPv6 as IPv4; None for anything else (``unknown``)."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]
) -> str:
    """The client's address for rate limiting and logs.

    ``peer`` is the address the connection came from, ``forwarded_for`` the values of every
    ``X-Forwarded-For`` header in order. Unless the peer is a trusted proxy, the peer is the
    client. Otherwise walk the forwarded addresses from the right, skipping trusted proxies;
    the first other address is the client. A hop that is not an address (``unknown``,
    garbage) ends the walk at the last trusted proxy, so such requests share its bucket
    rather than let anyone pick a fresh one.
    """
    current = parse_address(peer or "")
    if current is None:
        return peer or UNKNOWN
    if not _trusted(current, trusted):
        return str(current)
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            break
        current = address
        if not _trusted(current, trusted):
            break
    return str(current)
