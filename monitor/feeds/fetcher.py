"""Fetch one feed over HTTP, politely and defensively.

``fetch_feed`` does a conditional GET, follows redirects itself (re-checking every hop
against the address policy), caps time and size, and turns every failure into a
``FetchError`` that says what happened and what the scheduler should do next
(``status``, ``retry_after``, ``permanent``). It does not parse, retry, schedule or store:
the caller decides what a result or an error means for the feed.

Sessions must come from ``make_session``: its resolver enforces the address policy on
the addresses actually connected to.
"""

from __future__ import annotations

import asyncio
import errno
import ssl
import weakref
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

import aiohttp
from aiohttp.abc import AbstractResolver
from aiohttp.http_exceptions import ContentEncodingError
from yarl import URL

from monitor import __version__
from monitor.errors import FetchError
from monitor.feeds.hosts import AddressPolicy, HostLimiter, PolicyResolver, RefusedAddressError
from monitor.feeds.schedule import parse_retry_after

DEFAULT_USER_AGENT = f"monitor/{__version__} (media-monitoring feed poller)"
ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Only codecs whose streaming decompression aiohttp bounds (see _read_capped).
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_SUCCESS = frozenset({200, 203})  # 203: a proxy's transformed copy, still the feed
_CHUNK = 64 * 1024

# Sessions made by make_session, with the policy their resolver enforces.
_SESSION_POLICIES: weakref.WeakKeyDictionary[aiohttp.ClientSession, AddressPolicy] = (
    weakref.WeakKeyDictionary()
)


@dataclass(frozen=True, slots=True)
class Validators:
    """Cache validators from the last successful fetch, sent back verbatim."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class FetchLimits:
    """Bounds on one fetch. ``total_timeout`` covers network time across all redirect hops,
    not time spent queued for a host slot; ``max_bytes`` applies after decompression."""

    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    max_connections: int = 100
    user_agent: str = DEFAULT_USER_AGENT

    def __post_init__(self) -> None:
        for name in ("connect_timeout", "total_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FetchLimits.{name} must be positive")
        for name in ("max_bytes", "max_connections"):
            if getattr(self, name) < 1:
                raise ValueError(f"FetchLimits.{name} must be at least 1")
        if self.max_redirects < 0:
            raise ValueError("FetchLimits.max_redirects must not be negative")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A fetched feed (status 200) or confirmation that it has not changed (status 304).

    ``url`` is the final URL after redirects. ``permanent_redirect_to`` is set when the
    chain began with permanent redirects (301/308): the target of the last of them, which
    the caller should store as the feed's new URL. A 302/307 anywhere before it means the
    original URL stays. On a 304 the validators are the server's, or the ones sent when it
    repeated none. ``elapsed`` is network seconds, ``queued`` seconds waited for a host
    slot. ``bytes_read`` counts body bytes after decompression, ``wire_bytes`` before.
    ``cache_control``, ``expires`` and ``date`` are raw headers for the scheduler.
    """

    url: str
    status: int
    content: bytes
    content_type: str | None
    etag: str | None
    last_modified: str | None
    cache_control: str | None
    expires: str | None
    date: str | None
    permanent_redirect_to: str | None
    elapsed: float
    queued: float
    bytes_read: int
    wire_bytes: int

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def validators(self) -> Validators:
        """What to send on the next poll."""
        return Validators(self.etag, self.last_modified)


def make_session(
    limits: FetchLimits,
    address_policy: AddressPolicy,
    *,
    resolver: AbstractResolver | None = None,
) -> aiohttp.ClientSession:
    """Build the poller's HTTP session. Call it inside a running event loop.

    The connector resolves through ``PolicyResolver`` (wrapping ``resolver``, by default
    aiohttp's threaded resolver), so refused addresses are never connected to. Cookies
    are not kept (feeds must not become stateful), proxies from the environment are not
    used, and headers identify the poller.
    """
    connector = aiohttp.TCPConnector(
        limit=limits.max_connections,
        resolver=PolicyResolver(address_policy, resolver),
        ttl_dns_cache=60,
    )
    session = aiohttp.ClientSession(
        connector=connector,
        cookie_jar=aiohttp.DummyCookieJar(),
        trust_env=False,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=limits.connect_timeout),
        headers={
            "User-Agent": limits.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        auto_decompress=True,
    )
    _SESSION_POLICIES[session] = address_policy
    return session


async def fetch_feed(
    session: aiohttp.ClientSession,
    url: str,
    *,
    validators: Validators | None,
    limits: FetchLimits,
    address_policy: AddressPolicy,
    host_limiter: HostLimiter | None = None,
) -> FetchResult:
    """GET ``url`` conditionally and return the feed bytes, or a 304 result.

    Raises ``FetchError`` for every failure: refused URL or address, network error,
    timeout, oversize body, too many redirects, or a status other than 200/304. Each
    redirect hop takes its own ``host_limiter`` slot for the host it goes to.
    """
    if _SESSION_POLICIES.get(session) != address_policy:
        raise ValueError("fetch_feed needs a session from make_session with the same policy")
    try:
        current = URL(url).with_fragment(None)
    except (ValueError, TypeError) as exc:
        raise FetchError(url, "invalid URL", permanent=True) from exc
    headers = _conditional_headers(validators)
    loop = asyncio.get_running_loop()
    seen = {current}
    permanent_to: URL | None = None
    still_permanent = True
    elapsed = queued = 0.0

    for hop in range(limits.max_redirects + 1):
        refusal = address_policy.url_refusal(current)
        if refusal is not None:
            where = "" if hop == 0 else f"redirect to {current}: "
            raise FetchError(url, where + refusal, permanent=hop == 0)
        waited_from = loop.time()
        async with _host_slot(host_limiter, current.host or ""):
            started = loop.time()
            queued += started - waited_from
            try:
                async with asyncio.timeout(limits.total_timeout - elapsed):
                    reply = await _exchange(session, current, headers, limits, url)
            except TimeoutError as exc:
                raise FetchError(url, f"timed out after {limits.total_timeout:g} s") from exc
            finally:
                elapsed += loop.time() - started

        if reply.status not in _REDIRECTS:
            return _result(url, reply, validators, permanent_to, elapsed, queued)
        target = _redirect_target(url, current, reply)
        if reply.status in _PERMANENT_REDIRECTS and still_permanent:
            permanent_to = target
        else:
            still_permanent = False
        if target in seen:
            raise FetchError(url, f"too many redirects: loop back to {target}")
        seen.add(target)
        current = target
    raise FetchError(url, f"too many redirects (more than {limits.max_redirects})")


@dataclass(frozen=True, slots=True)
class _Reply:
    url: URL
    status: int
    headers: Mapping[str, str]
    body: bytes
    wire_bytes: int


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators is not None:
        if validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
    return headers


def _host_slot(limiter: HostLimiter | None, host: str) -> AbstractAsyncContextManager[None]:
    return nullcontext() if limiter is None else limiter.slot(host)


async def _exchange(
    session: aiohttp.ClientSession,
    url: URL,
    headers: dict[str, str],
    limits: FetchLimits,
    feed: str,
) -> _Reply:
    """One request, no redirects followed. Reads the body only for a success status."""
    try:
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            body = b""
            if response.status in _SUCCESS:
                body = await _read_capped(response, limits.max_bytes, feed)
            wire = getattr(response.content, "total_raw_bytes", len(body))
            return _Reply(response.url, response.status, response.headers, body, wire)
    except (aiohttp.ClientError, OSError) as exc:
        raise _network_error(feed, exc, limits) from exc


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int, feed: str) -> bytes:
    """Read the (decompressed) body in chunks, failing as soon as it exceeds ``max_bytes``.

    Decompression bombs are safe because aiohttp (>= 3.13.3, CVE-2025-69223) decompresses
    incrementally with a bounded output per step and pauses the socket while its buffer
    is full; only what this loop has accepted is ever held in memory.
    """
    too_large = f"response larger than {max_bytes} bytes"
    declared = response.content_length
    if declared is not None and declared > max_bytes:
        raise FetchError(feed, f"{too_large} (Content-Length: {declared})")
    body = bytearray()
    async for chunk in response.content.iter_chunked(_CHUNK):
        body += chunk
        if len(body) > max_bytes:
            raise FetchError(feed, too_large)
    return bytes(body)


def _redirect_target(feed: str, current: URL, reply: _Reply) -> URL:
    location = reply.headers.get("Location")
    if not location:
        raise FetchError(feed, f"redirect ({reply.status}) without a Location header")
    try:
        return current.join(URL(location)).with_fragment(None)
    except ValueError as exc:
        raise FetchError(feed, f"redirect ({reply.status}) to an invalid URL") from exc


def _result(
    feed: str,
    reply: _Reply,
    validators: Validators | None,
    permanent_to: URL | None,
    elapsed: float,
    queued: float,
) -> FetchResult:
    status, headers = reply.status, reply.headers
    if status not in _SUCCESS and status != 304:
        raise _status_error(feed, status, headers)
    etag, last_modified = headers.get("ETag"), headers.get("Last-Modified")
    if status == 304 and validators is not None:
        etag = etag or validators.etag
        last_modified = last_modified or validators.last_modified
    return FetchResult(
        url=str(reply.url),
        status=status,
        content=reply.body,
        content_type=headers.get("Content-Type") if status != 304 else None,
        etag=etag,
        last_modified=last_modified,
        cache_control=headers.get("Cache-Control"),
        expires=headers.get("Expires"),
        date=headers.get("Date"),
        permanent_redirect_to=None if permanent_to is None else str(permanent_to),
        elapsed=elapsed,
        queued=queued,
        bytes_read=len(reply.body),
        wire_bytes=reply.wire_bytes,
    )


def _status_error(feed: str, status: int, headers: Mapping[str, str]) -> FetchError:
    label = f"{status} {_phrase(status)}".rstrip()
    if status == 410:
        return FetchError(
            feed,
            "gone (410): the publisher removed this feed; it is paused, "
            "re-enable with `monitor feed resume`",
            status=status,
            permanent=True,
        )
    if status in (429, 503):
        retry_after = parse_retry_after(headers.get("Retry-After"), datetime.now(UTC))
        wait = "" if retry_after is None else f"; retry after {retry_after:g} s"
        what = "rate limited" if status == 429 else "service unavailable"
        return FetchError(feed, f"{what} ({label}){wait}", status=status, retry_after=retry_after)
    if status == 404:
        return FetchError(feed, f"not found ({label})", status=status)
    if status in (401, 403):
        return FetchError(feed, f"access denied ({label})", status=status)
    if 400 <= status < 500:
        return FetchError(feed, f"client error ({label})", status=status)
    if status >= 500:
        return FetchError(feed, f"server error ({label})", status=status)
    return FetchError(feed, f"unexpected status ({label})", status=status)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _network_error(feed: str, exc: BaseException, limits: FetchLimits) -> FetchError:
    """A FetchError naming what went wrong on the network, in words an editor can act on."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, RefusedAddressError):
            return FetchError(feed, f"refused address: {exc.os_error}")
        return FetchError(feed, f"DNS lookup failed for {exc.host}")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        problem = exc.certificate_error
        detail = getattr(problem, "verify_message", None) or problem
        return FetchError(feed, f"TLS certificate error for {exc.host}: {detail}")
    if isinstance(exc, aiohttp.ClientConnectorSSLError):
        detail = exc.os_error.strerror or exc.os_error
        return FetchError(feed, f"TLS error with {exc.host}:{exc.port}: {detail}")
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        return FetchError(feed, f"TLS error: {exc}")
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return FetchError(feed, f"connect timed out after {limits.connect_timeout:g} s")
    if isinstance(exc, aiohttp.ClientConnectorError):
        if exc.os_error.errno == errno.ECONNREFUSED:
            return FetchError(feed, f"connection refused by {exc.host}:{exc.port}")
        return FetchError(feed, f"could not connect to {exc.host}:{exc.port}: {exc.os_error}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return FetchError(feed, "server closed the connection before responding")
    if isinstance(exc, aiohttp.ClientPayloadError):
        if isinstance(exc.__cause__, ContentEncodingError):
            return FetchError(
                feed, f"compressed body could not be decoded ({exc.__cause__.message})"
            )
        return FetchError(feed, "response body incomplete or malformed")
    if isinstance(exc, aiohttp.ClientResponseError):
        return FetchError(feed, f"invalid HTTP response: {exc.message}")
    if isinstance(exc, aiohttp.InvalidURL):
        return FetchError(feed, f"invalid URL: {exc}", permanent=True)
    return FetchError(feed, f"network error: {exc!r}")
