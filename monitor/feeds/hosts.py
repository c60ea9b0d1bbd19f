"""Who the poller may talk to, and how often: an address policy and a per-host limiter.

Feed URLs come from users and from publishers' redirects, so the poller must not become a
way to reach the machine it runs on or the network behind it (SSRF). ``AddressPolicy``
decides which URLs and IP addresses are acceptable; ``PolicyResolver`` applies it to the
addresses DNS returns, inside aiohttp's connector, so the address checked is the address
connected to (no window for DNS rebinding between a check and the connect).

``HostLimiter`` keeps the poller polite: a bounded number of requests in flight per host
and a minimum gap between request starts to the same host. Hosts never wait for each
other.

Nothing here does HTTP; ``monitor.feeds.fetcher`` wires these into a session.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Address classes allowed by allow_private. Everything else that is not public
# (unspecified, link-local, multicast, reserved, cloud metadata) stays refused: nothing
# legitimate serves feeds there, and metadata endpoints hand out credentials.
_PRIVATE = frozenset({"loopback", "private"})
# Metadata endpoints outside link-local: AWS IMDS over IPv6 (a ULA) and Alibaba Cloud's
# (in the CGNAT range); 169.254.169.254 is already refused as link-local.
_METADATA = frozenset(ipaddress.ip_address(a) for a in ("fd00:ec2::254", "100.100.100.200"))

_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Numeric hosts that are not canonical dotted quads (2130706433, 127.1, 0x7f.0.0.1):
# socket libraries map them onto addresses, so they are refused rather than guessed at.
_LEGACY_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)


def classify_address(address: IPAddress) -> str:
    """Name the class of an IP address: ``public``, ``loopback``, ``private``,
    ``link-local``, ``unspecified``, ``multicast``, ``reserved`` or ``metadata``.

    IPv4 addresses embedded in IPv6 (``::ffff:127.0.0.1``, NAT64 ``64:ff9b::/96``, 6to4)
    are judged by the IPv4 address they carry, since that is where packets end up.
    """
    address = _embedded_ipv4(address) or address
    if address in _METADATA:
        return "metadata"
    if address.is_unspecified or address in _THIS_NETWORK:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "private"
    return "public"


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour


def _normalize_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    """Which URLs the poller may fetch.

    Only http and https URLs are fetched. Public addresses are always allowed.
    ``allow_private`` also allows loopback and private networks (RFC 1918, CGNAT, IPv6
    ULA) — for tests and intranet feeds. Unspecified, link-local, cloud metadata,
    multicast and reserved addresses are refused even then. A host named in
    ``allowed_hosts`` (hostname or IP literal, case-insensitive) skips address checks.
    """

    allow_private: bool = False
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        normalized = frozenset(_normalize_host(host) for host in self.allowed_hosts)
        object.__setattr__(self, "allowed_hosts", normalized)

    def is_listed(self, host: str) -> bool:
        """True when ``host`` is named in ``allowed_hosts``."""
        return _normalize_host(host) in self.allowed_hosts

    def address_refusal(self, address: IPAddress) -> str | None:
        """Why connecting to ``address`` is refused, or None when it is allowed."""
        kind = classify_address(address)
        if kind == "public" or (self.allow_private and kind in _PRIVATE):
            return None
        return f"{kind} address {address}"

    def url_refusal(self, url: URL) -> str | None:
        """Why ``url`` may not be fetched, judged before any connection; None if it may.

        Checks the scheme and IP-literal hosts (aiohttp connects to those without asking
        the resolver). Hostnames are checked later by ``PolicyResolver``.
        """
        if url.scheme not in ALLOWED_SCHEMES:
            return f"URL scheme {url.scheme or '(none)'!r} is not fetched (only http and https)"
        host = url.raw_host
        if not host:
            return "URL has no host"
        if self.is_listed(host):
            return None
        try:
            address = ipaddress.ip_address(_normalize_host(host))
        except ValueError:
            if _LEGACY_NUMERIC_HOST.match(host):
                return f"host {host!r} is a non-canonical numeric address"
            return None
        refusal = self.address_refusal(address)
        return None if refusal is None else f"refused {refusal}"


class RefusedAddressError(OSError):
    """DNS answered only with addresses the policy refuses.

    An ``OSError`` so aiohttp's connector treats it as a failed lookup and wraps it in
    ``ClientConnectorDNSError``; the fetcher unwraps it into a ``FetchError``.
    """

    def __init__(self, host: str, refusals: Iterable[str]) -> None:
        self.host = host
        self.refusals = tuple(refusals)
        super().__init__(f"{host} resolves only to refused addresses: {', '.join(self.refusals)}")


class PolicyResolver(AbstractResolver):
    """Resolve with ``inner`` (default: aiohttp's ThreadedResolver), then drop refused addresses.

    The connector connects only to what this returns, so a name that resolves to a public
    address when checked and to 127.0.0.1 when connected cannot slip through. Mixed
    answers keep their allowed addresses; an answer with none left raises
    ``RefusedAddressError``.
    """

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self._policy.is_listed(host):
            return results
        allowed: list[ResolveResult] = []
        refusals: list[str] = []
        for result in results:
            refusal = self._policy.address_refusal(ipaddress.ip_address(result["host"]))
            if refusal is None:
                allowed.append(result)
            else:
                refusals.append(refusal)
        if not allowed:
            raise RefusedAddressError(host, refusals or ["no addresses"])
        return allowed

    async def close(self) -> None:
        await self._inner.close()


@dataclass(slots=True)
class _HostState:
    gate: asyncio.Semaphore
    next_start: float = 0.0  # loop time before which no new request may start
    users: int = 0  # holders and waiters; the entry is dropped when idle


class HostLimiter:
    """Per-host politeness: at most ``per_host_concurrency`` requests in flight to a host,
    and request starts to one host at least ``min_spacing_seconds`` apart.

    Each host has its own FIFO gate, so a slow or busy host never delays another and
    there is no lock shared by all hosts. Entries for idle hosts are dropped once their
    spacing window has passed, so memory follows the number of busy hosts, not the
    number of hosts ever seen. Hosts are compared case-insensitively; ``localhost`` and
    ``127.0.0.1`` are different hosts.
    """

    _SWEEP_MIN = 256

    def __init__(self, per_host_concurrency: int, min_spacing_seconds: float) -> None:
        if per_host_concurrency < 1:
            raise ValueError("per_host_concurrency must be at least 1")
        if min_spacing_seconds < 0:
            raise ValueError("min_spacing_seconds must not be negative")
        self.per_host_concurrency = per_host_concurrency
        self.min_spacing_seconds = min_spacing_seconds
        self._hosts: dict[str, _HostState] = {}
        self._sweep_at = self._SWEEP_MIN

    def __len__(self) -> int:
        """Number of hosts currently tracked (busy, or idle inside their spacing window)."""
        return len(self._hosts)

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for this host's turn, then hold one of its slots for the block's duration."""
        loop = asyncio.get_running_loop()
        key = _normalize_host(host)
        state = self._hosts.get(key)
        if state is None:
            self._sweep_if_crowded(loop.time())
            state = self._hosts[key] = _HostState(asyncio.Semaphore(self.per_host_concurrency))
        state.users += 1
        try:
            async with state.gate:
                await self._wait_for_spacing(state, loop)
                yield
        finally:
            state.users -= 1
            if (
                state.users == 0
                and state.next_start <= loop.time()
                and self._hosts.get(key) is state
            ):
                del self._hosts[key]

    async def _wait_for_spacing(self, state: _HostState, loop: asyncio.AbstractEventLoop) -> None:
        # Reserve the start time before sleeping (no await in between), so concurrent
        # holders of the gate get distinct, evenly spaced start times.
        now = loop.time()
        start = max(now, state.next_start)
        state.next_start = start + self.min_spacing_seconds
        if start <= now:
            return
        try:
            await asyncio.sleep(start - now)
        except asyncio.CancelledError:
            # Give the unused start time back if nobody reserved after it.
            if state.next_start == start + self.min_spacing_seconds:
                state.next_start = start
            raise

    def _sweep_if_crowded(self, now: float) -> None:
        # Idle entries inside their spacing window linger; sweep them when the table has
        # doubled since the last sweep, so the cost stays amortized O(1) per request.
        if len(self._hosts) < self._sweep_at:
            return
        idle = [k for k, s in self._hosts.items() if s.users == 0 and s.next_start <= now]
        for key in idle:
            del self._hosts[key]
        self._sweep_at = max(self._SWEEP_MIN, 2 * len(self._hosts))
