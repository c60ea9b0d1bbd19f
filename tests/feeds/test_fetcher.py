"""fetch_feed, the address policy and the host limiter, against a real HTTP server on loopback.

Every test starts an aiohttp.web server on 127.0.0.1 and 127.0.0.2 (ephemeral ports) in
its own event loop and talks to it over real sockets. The only fake is a DNS resolver,
used where real DNS cannot be made to answer what the test needs.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import gzip
import ipaddress
import itertools
import socket
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from monitor.errors import FetchError
from monitor.feeds.fetcher import (
    FetchLimits,
    FetchResult,
    Validators,
    fetch_feed,
    make_session,
)
from monitor.feeds.hosts import (
    AddressPolicy,
    HostLimiter,
    PolicyResolver,
    RefusedAddressError,
    classify_address,
)
from monitor.feeds.schedule import parse_retry_after

HOSTS = ("127.0.0.1", "127.0.0.2")
ETAG = '"v1"'
LAST_MODIFIED = "Mon, 11 Dec 2023 13:07:44 GMT"
RSS = (
    b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Rio</title>'
    + b"<item><title>Story</title><link>https://example.com/1</link></item>" * 3000
    + b"</channel></rss>"
)
LOOPBACK_ALLOWED = AddressPolicy(allow_private=True)
LIMITS = FetchLimits(connect_timeout=2.0, total_timeout=5.0, max_bytes=1024 * 1024)
MIB = 1024 * 1024

REDIRECTS: dict[str, tuple[int, str]] = {
    "/moved/301": (301, "/feed"),
    "/moved/308": (308, "/feed"),
    "/moved/302": (302, "/feed"),
    "/moved/303": (303, "/feed"),
    "/moved/307": (307, "/feed"),
    "/perm-then-temp": (301, "/moved/302"),  # stored URL becomes /moved/302
    "/temp-then-perm": (302, "/moved/301"),  # stored URL stays
    "/perm-then-perm": (301, "/moved/308"),  # stored URL becomes /feed
    "/loop-a": (302, "/loop-b"),
    "/loop-b": (302, "/loop-a"),
    "/to-file": (302, "file:///etc/passwd"),
    "/to-metadata": (302, "http://169.254.169.254:1/latest/meta-data/"),
    "/relative": (301, "moved/308#fragment"),
}


@functools.cache
def gzip_bomb() -> bytes:
    """200 MiB of zeros gzip-compressed to ~200 KiB, built without holding 200 MiB."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MIB)
    return b"".join(compressor.compress(zeros) for _ in range(200)) + compressor.flush()


@dataclass
class Seen:
    path: str
    host: str
    headers: dict[str, str]
    at: float


@dataclass
class FeedServer:
    """Serves fixture responses and records every request it receives."""

    ports: dict[str, int] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0

    def url(self, path: str, host: str = HOSTS[0]) -> str:
        return f"http://{host}:{self.ports[host]}{path}"

    def paths(self) -> list[str]:
        return [s.path for s in self.seen]

    @web.middleware
    async def record(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        self.seen.append(Seen(request.path, request.host, dict(request.headers), loop.time()))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await handler(request)
        finally:
            self.in_flight -= 1

    async def feed(self, request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == ETAG or (
            request.headers.get("If-Modified-Since") == LAST_MODIFIED
        ):
            return web.Response(status=304, headers={"ETag": ETAG})
        return web.Response(
            body=RSS,
            content_type="application/rss+xml",
            charset="utf-8",
            headers={
                "ETag": ETAG,
                "Last-Modified": LAST_MODIFIED,
                "Cache-Control": "max-age=600",
                "Expires": "Mon, 11 Dec 2023 13:17:44 GMT",
                "Set-Cookie": "session=abc; Path=/",
            },
        )

    async def redirect(self, request: web.Request) -> web.Response:
        status, location = REDIRECTS[request.path]
        return web.Response(status=status, headers={"Location": location})

    async def slow_redirect(self, request: web.Request) -> web.Response:
        await asyncio.sleep(0.3)
        return web.Response(status=302, headers={"Location": "/hold?s=0.3"})

    async def to_other_host(self, request: web.Request) -> web.Response:
        return web.Response(status=302, headers={"Location": self.url("/feed", HOSTS[1])})

    async def endless(self, request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        return web.Response(status=302, headers={"Location": f"/hop/{n + 1}"})

    async def status(self, request: web.Request) -> web.Response:
        headers = {}
        if "retry_after" in request.query:
            headers["Retry-After"] = request.query["retry_after"]
        return web.Response(status=int(request.match_info["code"]), headers=headers)

    async def hold(self, request: web.Request) -> web.Response:
        await asyncio.sleep(float(request.query.get("s", "0")))
        return web.Response(body=b"<rss/>", content_type="application/rss+xml")

    async def drip(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        await response.prepare(request)
        for _ in range(200):  # 1 byte per 50 ms: 10 s in all, far past any test's timeout
            await response.write(b"<")
            await asyncio.sleep(0.05)
        return response

    async def declared_huge(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_length = 10**10
        await response.prepare(request)
        await response.write(b"<rss>")
        await asyncio.sleep(10)  # the client must give up on the header, not wait for this
        return response

    async def endless_body(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/rss+xml"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(1000):  # up to 64 MiB; the client stops after its cap
            await response.write(b"x" * 65536)
        return response

    async def compressed(self, request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        if kind == "gzip":
            body, encoding = gzip.compress(RSS), "gzip"
        elif kind == "deflate":
            body, encoding = zlib.compress(RSS), "deflate"
        elif kind == "raw-deflate":
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            body, encoding = compressor.compress(RSS) + compressor.flush(), "deflate"
        elif kind == "bomb":
            body, encoding = gzip_bomb(), "gzip"
        else:
            body, encoding = b"\x1f\x8bnot gzip at all", "gzip"
        return web.Response(
            body=body,
            headers={"Content-Encoding": encoding, "Content-Type": "application/rss+xml"},
        )

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.record])
        app.router.add_get("/feed", self.feed)
        for path in REDIRECTS:
            app.router.add_get(path, self.redirect)
        app.router.add_get("/hop/{n}", self.endless)
        app.router.add_get("/slow-redirect", self.slow_redirect)
        app.router.add_get("/to-other-host", self.to_other_host)
        app.router.add_get("/status/{code}", self.status)
        app.router.add_get("/hold", self.hold)
        app.router.add_get("/drip", self.drip)
        app.router.add_get("/declared-huge", self.declared_huge)
        app.router.add_get("/endless-body", self.endless_body)
        app.router.add_get("/compressed/{kind}", self.compressed)
        return app


@asynccontextmanager
async def feed_server() -> AsyncIterator[FeedServer]:
    server = FeedServer()
    runner = web.AppRunner(server.app(), handler_cancellation=True, shutdown_timeout=0.1)
    await runner.setup()
    try:
        for host in HOSTS:
            await web.TCPSite(runner, host, 0).start()
        for host, port in runner.addresses:
            server.ports[host] = port
        yield server
    finally:
        await runner.cleanup()


class FakeResolver(AbstractResolver):
    """DNS answers chosen by the test: a name maps to a list of addresses, or fails."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.answers[host]
        ]

    async def close(self) -> None:
        pass


@dataclass
class Harness:
    server: FeedServer
    session: aiohttp.ClientSession
    limits: FetchLimits
    policy: AddressPolicy

    async def fetch(
        self,
        path_or_url: str,
        validators: Validators | None = None,
        limiter: HostLimiter | None = None,
    ) -> FetchResult:
        url = self.server.url(path_or_url) if path_or_url.startswith("/") else path_or_url
        return await fetch_feed(
            self.session,
            url,
            validators=validators,
            limits=self.limits,
            address_policy=self.policy,
            host_limiter=limiter,
        )

    async def fail(self, path_or_url: str, validators: Validators | None = None) -> FetchError:
        with pytest.raises(FetchError) as info:
            await self.fetch(path_or_url, validators)
        return info.value


def run(
    scenario: Callable[[Harness], Awaitable[None]],
    *,
    policy: AddressPolicy = LOOPBACK_ALLOWED,
    limits: FetchLimits = LIMITS,
    resolver: AbstractResolver | None = None,
) -> None:
    """Run ``scenario`` against a fresh server and session in a fresh event loop."""

    async def main() -> None:
        async with feed_server() as server:
            session = make_session(limits, policy, resolver=resolver)
            try:
                await scenario(Harness(server, session, limits, policy))
            finally:
                await session.close()

    asyncio.run(main())


# --- conditional GET -------------------------------------------------------------------


def test_200_then_304_with_the_returned_validators() -> None:
    async def scenario(h: Harness) -> None:
        first = await h.fetch("/feed")
        assert (first.status, first.content) == (200, RSS)
        assert first.url == h.server.url("/feed")
        assert first.content_type == "application/rss+xml; charset=utf-8"
        assert (first.etag, first.last_modified) == (ETAG, LAST_MODIFIED)
        assert first.cache_control == "max-age=600"
        assert first.expires == "Mon, 11 Dec 2023 13:17:44 GMT"
        assert first.date is not None
        assert first.bytes_read == len(RSS) and first.permanent_redirect_to is None
        assert 0 < first.elapsed < 5

        second = await h.fetch("/feed", first.validators)
        assert (second.status, second.content, second.not_modified) == (304, b"", True)
        assert second.validators == Validators(ETAG, LAST_MODIFIED)  # kept when not repeated

        sent = h.server.seen[1].headers
        assert sent["If-None-Match"] == ETAG
        assert sent["If-Modified-Since"] == LAST_MODIFIED
        assert "If-None-Match" not in h.server.seen[0].headers

    run(scenario)


def test_last_modified_alone_gives_304() -> None:
    async def scenario(h: Harness) -> None:
        result = await h.fetch("/feed", Validators(last_modified=LAST_MODIFIED))
        assert result.status == 304
        assert h.server.seen[0].headers["If-Modified-Since"] == LAST_MODIFIED

    run(scenario)


def test_identifying_headers_sent_and_cookies_never_returned() -> None:
    async def scenario(h: Harness) -> None:
        await h.fetch("/feed")
        await h.fetch("/feed")
        first, second = (s.headers for s in h.server.seen)
        assert first["User-Agent"].startswith("monitor/")
        assert first["Accept"].startswith("application/rss+xml, application/atom+xml")
        assert first["Accept-Encoding"] == "gzip, deflate"
        assert "Cookie" not in second  # the server set one; the poller keeps no cookies

    run(scenario)


# --- redirects -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/moved/301", "/feed"),
        ("/moved/308", "/feed"),
        ("/moved/302", None),
        ("/moved/303", None),
        ("/moved/307", None),
        ("/perm-then-temp", "/moved/302"),
        ("/temp-then-perm", None),
        ("/perm-then-perm", "/feed"),
        ("/relative", "/feed"),
    ],
)
def test_redirects_followed_and_only_permanent_ones_move_the_feed(
    path: str, stored: str | None
) -> None:
    async def scenario(h: Harness) -> None:
        result = await h.fetch(path)
        assert result.status == 200 and result.content == RSS
        assert result.url == h.server.url("/feed")
        expected = None if stored is None else h.server.url(stored)
        assert result.permanent_redirect_to == expected
        assert h.server.paths()[0] == path and h.server.paths()[-1] == "/feed"

    run(scenario)


def test_validators_are_sent_on_every_redirect_hop() -> None:
    async def scenario(h: Harness) -> None:
        result = await h.fetch("/moved/301", Validators(etag=ETAG))
        assert result.status == 304 and result.permanent_redirect_to == h.server.url("/feed")
        assert all(s.headers.get("If-None-Match") == ETAG for s in h.server.seen)

    run(scenario)


def test_redirect_loop_is_cut() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/loop-a")
        assert error.reason.startswith("too many redirects")
        assert h.server.paths() == ["/loop-a", "/loop-b"]

    run(scenario)


def test_endless_redirect_chain_stops_at_the_cap() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/hop/0")
        assert error.reason == "too many redirects (more than 5)"
        assert len(h.server.seen) == 6  # the first request and 5 redirects

    run(scenario)


def test_redirect_to_refused_scheme_or_address_is_not_followed() -> None:
    async def scenario(h: Harness) -> None:
        to_file = await h.fail("/to-file")
        assert "scheme 'file'" in to_file.reason and not to_file.permanent
        to_metadata = await h.fail("/to-metadata")
        assert "link-local address 169.254.169.254" in to_metadata.reason
        assert h.server.paths() == ["/to-file", "/to-metadata"]

    run(scenario)


def test_redirect_to_another_host_is_checked_again() -> None:
    """Only 127.0.0.1 is allowed: a redirect from it to 127.0.0.2 must be refused."""

    async def scenario(h: Harness) -> None:
        assert (await h.fetch("/feed")).status == 200
        error = await h.fail("/to-other-host")
        assert error.reason.startswith(f"redirect to {h.server.url('/feed', HOSTS[1])}: ")
        assert error.reason.endswith("refused loopback address 127.0.0.2")
        assert h.server.paths() == ["/feed", "/to-other-host"]

    run(scenario, policy=AddressPolicy(allowed_hosts=frozenset({"127.0.0.1"})))


# --- status codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "reason", "permanent"),
    [
        (404, "not found (404 Not Found)", False),
        (403, "access denied (403 Forbidden)", False),
        (418, "client error (418 I'm a Teapot)", False),
        (500, "server error (500 Internal Server Error)", False),
        (502, "server error (502 Bad Gateway)", False),
        (503, "service unavailable (503 Service Unavailable)", False),
        (410, "gone (410): the publisher removed this feed", True),
    ],
)
def test_error_statuses(code: int, reason: str, permanent: bool) -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail(f"/status/{code}")
        assert error.status == code and error.permanent is permanent
        assert error.reason.startswith(reason)
        assert error.retry_after is None
        assert error.url == h.server.url(f"/status/{code}")

    run(scenario)


def test_gone_tells_the_editor_how_to_resume() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/status/410")
        assert "monitor feed resume" in error.reason

    run(scenario)


@pytest.mark.parametrize("code", [429, 503])
def test_retry_after_in_seconds(code: int) -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail(f"/status/{code}?retry_after=120")
        assert (error.status, error.retry_after) == (code, 120.0)
        assert error.reason.endswith("retry after 120 s")

    run(scenario)


def test_retry_after_as_http_date() -> None:
    async def scenario(h: Harness) -> None:
        when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=90), True)
        error = await h.fail(f"/status/429?retry_after={when}")
        assert error.retry_after is not None and 80 <= error.retry_after <= 91

    run(scenario)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", 0.0),
        (" 3600 ", 3600.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past
        ("Wed, 21 Oct 2015 07:30:00 GMT", 120.0),
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    now = datetime(2015, 10, 21, 7, 28, tzinfo=UTC)
    assert parse_retry_after(value, now) == expected


# --- time and size limits --------------------------------------------------------------


def test_server_that_never_answers_is_cut_by_total_timeout() -> None:
    async def scenario(h: Harness) -> None:
        started = time.monotonic()
        error = await h.fail("/hold?s=30")
        assert error.reason == "timed out after 0.5 s"
        # far under the server's 30 s hold; wide so a loaded CI host cannot fail it
        assert time.monotonic() - started < 10

    run(scenario, limits=FetchLimits(total_timeout=0.5))


def test_slow_drip_is_cut_by_total_timeout() -> None:
    async def scenario(h: Harness) -> None:
        started = time.monotonic()
        error = await h.fail("/drip")
        assert error.reason == "timed out after 0.5 s"
        assert 0.5 <= time.monotonic() - started < 5  # the drip lasts 10 s

    run(scenario, limits=FetchLimits(total_timeout=0.5))


def test_total_timeout_spans_all_redirect_hops() -> None:
    """Each hop takes 0.3 s, under the 0.5 s limit, but together they exceed it."""

    async def scenario(h: Harness) -> None:
        error = await h.fail("/slow-redirect")
        assert error.reason == "timed out after 0.5 s"
        assert h.server.paths() == ["/slow-redirect", "/hold"]

    run(scenario, limits=FetchLimits(total_timeout=0.5))


def test_too_large_content_length_fails_before_reading() -> None:
    async def scenario(h: Harness) -> None:
        started = time.monotonic()
        error = await h.fail("/declared-huge")
        assert error.reason == f"response larger than {MIB} bytes (Content-Length: 10000000000)"
        assert time.monotonic() - started < 5  # did not wait for the body (10 s away)

    run(scenario)


def test_body_without_content_length_is_cut_at_the_cap() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/endless-body")
        assert error.reason == f"response larger than {MIB} bytes"

    run(scenario)


@pytest.mark.parametrize("kind", ["gzip", "deflate", "raw-deflate"])
def test_compressed_responses_are_decoded(kind: str) -> None:
    async def scenario(h: Harness) -> None:
        result = await h.fetch(f"/compressed/{kind}")
        assert result.content == RSS
        assert result.bytes_read == len(RSS)
        assert result.wire_bytes < len(RSS) // 10  # it really travelled compressed

    run(scenario)


def test_corrupt_compression_is_a_fetch_error() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/compressed/broken")
        assert error.reason == (
            "compressed body could not be decoded (Can not decode content-encoding: gzip)"
        )

    run(scenario)


def test_cap_applies_after_decompression() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("/compressed/gzip")  # ~4 KiB on the wire, ~200 KiB decoded
        assert error.reason == "response larger than 100000 bytes"

    run(scenario, limits=FetchLimits(max_bytes=100_000))


def test_gzip_bomb_is_cut_quickly_with_bounded_memory() -> None:
    bomb = gzip_bomb()  # built before measuring
    cap = 5 * MIB

    async def scenario(h: Harness) -> None:
        tracemalloc.start()
        try:
            started = time.monotonic()
            error = await h.fail("/compressed/bomb")
            seconds = time.monotonic() - started
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert error.reason == f"response larger than {cap} bytes"
        assert seconds < 3
        assert peak < 4 * cap  # the bomb inflates to 200 MiB
        assert len(bomb) < 300_000

    run(scenario, limits=FetchLimits(max_bytes=cap))


# --- network errors --------------------------------------------------------------------


def test_connection_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed below: nothing listens there

    async def scenario(h: Harness) -> None:
        error = await h.fail(f"http://127.0.0.1:{port}/feed")
        assert error.reason == f"connection refused by 127.0.0.1:{port}"
        assert error.status is None

    run(scenario)


def test_connect_timeout_when_the_server_accepts_nothing() -> None:
    """A listener whose accept queue is full drops new SYNs, so connecting hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers: list[socket.socket] = []
        try:
            for _ in range(8):  # fill the queue until a connect attempt stalls
                filler = socket.socket()
                fillers.append(filler)
                filler.settimeout(0.2)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break

            async def scenario(h: Harness) -> None:
                started = time.monotonic()
                error = await h.fail(f"http://127.0.0.1:{port}/feed")
                assert error.reason == "connect timed out after 0.3 s"
                assert time.monotonic() - started < 4.5  # not the 5 s total timeout

            run(scenario, limits=FetchLimits(connect_timeout=0.3, total_timeout=5))
        finally:
            for filler in fillers:
                filler.close()


def test_dns_failure() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("http://no-such-feed.invalid/feed")
        assert error.reason == "DNS lookup failed for no-such-feed.invalid"

    run(scenario, resolver=FakeResolver({}))


def test_tls_error_against_a_plain_http_server() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail(h.server.url("/feed").replace("http:", "https:"))
        assert error.reason.startswith(f"TLS error with 127.0.0.1:{h.server.ports[HOSTS[0]]}: ")
        assert "WRONG_VERSION_NUMBER" in error.reason

    run(scenario)


def test_session_must_come_from_make_session_with_the_same_policy() -> None:
    async def scenario(h: Harness) -> None:
        with pytest.raises(ValueError, match="make_session"):
            await fetch_feed(
                h.session,
                h.server.url("/feed"),
                validators=None,
                limits=h.limits,
                address_policy=AddressPolicy(),
            )
        assert h.server.seen == []

    run(scenario)


# --- address policy --------------------------------------------------------------------
# Refused non-loopback addresses carry port 1, so that if the policy ever regressed the
# test would hit a closed port instead of a real service (sandboxes do answer on
# 169.254.169.254:80).


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1/feed", "refused loopback address 127.0.0.1"),
        ("http://[::1]/feed", "refused loopback address ::1"),
        ("http://[::ffff:127.0.0.1]/feed", "refused loopback address ::ffff:"),
        ("http://169.254.169.254:1/latest/meta-data/", "refused link-local address"),
        ("http://0.0.0.0:1/feed", "refused unspecified address 0.0.0.0"),
        ("http://10.0.0.8:1/feed", "refused private address 10.0.0.8"),
        ("http://[fd00::1]:1/feed", "refused private address fd00::1"),
        ("http://2130706433/feed", "non-canonical numeric address"),
        ("http://127.1/feed", "non-canonical numeric address"),
        ("http://0x7f.0.0.1/feed", "non-canonical numeric address"),
        ("file:///etc/passwd", "URL scheme 'file' is not fetched"),
        ("ftp://example.com/feed.xml", "URL scheme 'ftp' is not fetched"),
        ("javascript:alert(1)", "URL scheme 'javascript' is not fetched"),
        ("feed.xml", "URL scheme '(none)' is not fetched"),
    ],
)
def test_refused_urls_never_reach_the_network(url: str, refusal: str) -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail(url)
        assert refusal in error.reason and error.permanent
        assert h.server.seen == []

    run(scenario, policy=AddressPolicy())


def test_hostname_resolving_to_loopback_is_refused_at_connect_time() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail(h.server.url("/feed").replace("127.0.0.1", "localhost"))
        assert error.reason.startswith("refused address: localhost resolves only to refused")
        assert "loopback address 127.0.0.1" in error.reason
        assert h.server.seen == []

    run(scenario, policy=AddressPolicy())


@pytest.mark.parametrize(
    "policy",
    [AddressPolicy(allow_private=True), AddressPolicy(allowed_hosts=frozenset({"LocalHost."}))],
)
def test_loopback_allowed_when_configured(policy: AddressPolicy) -> None:
    async def scenario(h: Harness) -> None:
        result = await h.fetch(h.server.url("/feed").replace("127.0.0.1", "localhost"))
        assert result.status == 200 and len(h.server.seen) == 1

    run(scenario, policy=policy)


def test_metadata_address_refused_even_when_private_allowed() -> None:
    async def scenario(h: Harness) -> None:
        error = await h.fail("http://169.254.169.254:1/latest/meta-data/")
        assert "link-local address 169.254.169.254" in error.reason

    run(scenario, policy=AddressPolicy(allow_private=True))


def test_resolver_checks_the_addresses_actually_connected_to() -> None:
    """A public-looking name whose DNS answer is loopback is refused; listing it allows it."""
    answers = {"feeds.example": ["127.0.0.1"]}

    async def refused(h: Harness) -> None:
        error = await h.fail(f"http://feeds.example:{h.server.ports[HOSTS[0]]}/feed")
        assert "refused address: feeds.example" in error.reason and not error.permanent
        assert h.server.seen == []

    async def listed(h: Harness) -> None:
        result = await h.fetch(f"http://feeds.example:{h.server.ports[HOSTS[0]]}/feed")
        assert result.status == 200 and h.server.seen[0].host.startswith("feeds.example")

    run(refused, policy=AddressPolicy(), resolver=FakeResolver(answers))
    listed_policy = AddressPolicy(allowed_hosts=frozenset({"feeds.example"}))
    run(listed, policy=listed_policy, resolver=FakeResolver(answers))


def test_resolver_keeps_only_allowed_addresses_of_a_mixed_answer() -> None:
    async def scenario() -> None:
        inner = FakeResolver({"mixed.example": ["10.1.2.3", "93.184.216.34", "::1"]})
        resolver = PolicyResolver(AddressPolicy(), inner)
        results = await resolver.resolve("mixed.example", 443)
        assert [r["host"] for r in results] == ["93.184.216.34"]
        with pytest.raises(RefusedAddressError, match=r"private address 10\.1\.2\.3"):
            await PolicyResolver(AddressPolicy(), FakeResolver({"x": ["10.1.2.3"]})).resolve("x")

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::7f00:1", "loopback"),
        ("2002:7f00:1::", "loopback"),
        ("169.254.169.254", "link-local"),
        ("::ffff:169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),
        ("fd12::1", "private"),
        ("fd00:ec2::254", "metadata"),
        ("100.100.100.200", "metadata"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("93.184.216.34", "public"),
        ("8.8.8.8", "public"),
        ("2606:4700:4700::1111", "public"),
    ],
)
def test_classify_address(address: str, kind: str) -> None:
    assert classify_address(ipaddress.ip_address(address)) == kind


# --- host limiter ----------------------------------------------------------------------


def test_limiter_spaces_request_starts_to_one_host() -> None:
    spacing = 0.2

    async def scenario(h: Harness) -> None:
        limiter = HostLimiter(per_host_concurrency=4, min_spacing_seconds=spacing)
        results = await asyncio.gather(*(h.fetch("/hold", limiter=limiter) for _ in range(4)))
        assert all(r.status == 200 for r in results)
        starts = sorted(s.at for s in h.server.seen)
        gaps = [b - a for a, b in itertools.pairwise(starts)]
        assert len(gaps) == 3 and min(gaps) >= spacing - 0.02
        assert sorted(r.queued for r in results)[-1] >= 3 * spacing - 0.02

    run(scenario)


def test_limiter_bounds_concurrency_per_host() -> None:
    async def scenario(h: Harness) -> None:
        limiter = HostLimiter(per_host_concurrency=2, min_spacing_seconds=0)
        started = time.monotonic()
        await asyncio.gather(*(h.fetch("/hold?s=0.15", limiter=limiter) for _ in range(6)))
        assert h.server.max_in_flight == 2
        assert time.monotonic() - started >= 3 * 0.15
        assert len(limiter) == 0  # idle hosts are forgotten

    run(scenario)


def test_limiter_does_not_serialize_different_hosts() -> None:
    async def scenario(h: Harness) -> None:
        limiter = HostLimiter(per_host_concurrency=1, min_spacing_seconds=0.5)
        one, two = (h.server.url("/hold?s=0.2", host) for host in HOSTS)
        await asyncio.gather(*(h.fetch(u, limiter=limiter) for u in (one, one, two)))
        by_host: dict[str, list[float]] = {}
        for seen in h.server.seen:
            by_host.setdefault(seen.host.split(":")[0], []).append(seen.at)
        first, second = sorted(by_host[HOSTS[0]])
        assert second - first >= 0.5 - 0.02  # same host: spaced
        assert abs(by_host[HOSTS[1]][0] - first) < 0.1  # other host: not waiting

    run(scenario)


def test_limiter_is_fifo_per_host_and_survives_cancellation() -> None:
    async def scenario() -> None:
        limiter = HostLimiter(per_host_concurrency=1, min_spacing_seconds=0)
        order: list[int] = []
        release = asyncio.Event()

        async def worker(n: int) -> None:
            async with limiter.slot("example.com"):
                order.append(n)
                await release.wait()

        holder = asyncio.create_task(worker(0))
        await asyncio.sleep(0)
        waiters = [asyncio.create_task(worker(n)) for n in range(1, 6)]
        await asyncio.sleep(0.01)
        waiters[1].cancel()  # worker 2 gives up while queued
        release.set()
        await asyncio.gather(holder, *waiters, return_exceptions=True)
        assert order == [0, 1, 3, 4, 5]
        assert len(limiter) == 0

    asyncio.run(scenario())


def test_limiter_gives_back_an_unused_start_time_on_cancellation() -> None:
    async def scenario() -> None:
        limiter = HostLimiter(per_host_concurrency=2, min_spacing_seconds=0.3)
        loop = asyncio.get_running_loop()
        async with limiter.slot("a.example"):
            waiting = asyncio.create_task(limiter.slot("a.example").__aenter__())
            await asyncio.sleep(0.01)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
        before = loop.time()
        await asyncio.sleep(0.3)
        async with limiter.slot("a.example"):
            assert loop.time() - before < 0.35  # no extra 0.3 s for the cancelled waiter

    asyncio.run(scenario())


def test_limiter_keeps_an_idle_host_until_its_spacing_has_passed() -> None:
    async def scenario() -> None:
        limiter = HostLimiter(per_host_concurrency=1, min_spacing_seconds=0.2)
        loop = asyncio.get_running_loop()
        async with limiter.slot("a.example"):
            first = loop.time()
        assert len(limiter) == 1  # idle, but forgetting it would allow an early start
        async with limiter.slot("a.example"):
            assert loop.time() - first >= 0.2

    asyncio.run(scenario())


def test_limiter_memory_follows_busy_hosts_not_hosts_ever_seen() -> None:
    async def scenario() -> None:
        limiter = HostLimiter(per_host_concurrency=1, min_spacing_seconds=0.01)
        largest = 0
        for batch in range(30):  # 3,000 hosts, at most 100 inside their spacing window
            for n in range(100):
                async with limiter.slot(f"host-{batch}-{n}.example"):
                    largest = max(largest, len(limiter))
            await asyncio.sleep(0.015)
        assert largest <= HostLimiter._SWEEP_MIN + 1
        assert len(limiter) <= HostLimiter._SWEEP_MIN

    asyncio.run(scenario())


def test_limiter_rejects_nonsense_settings() -> None:
    with pytest.raises(ValueError, match="per_host_concurrency"):
        HostLimiter(per_host_concurrency=0, min_spacing_seconds=1)
    with pytest.raises(ValueError, match="min_spacing_seconds"):
        HostLimiter(per_host_concurrency=1, min_spacing_seconds=-1)
