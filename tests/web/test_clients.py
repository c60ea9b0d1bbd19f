"""Which client a request is from, behind trusted proxies or not: a table, then the real
server's rate limiter."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.web.clients import client_address, parse_address, parse_networks

from .helpers import call

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.7, 2001:db8::/32")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        # No proxy in front: the peer, whatever the headers claim.
        ("203.0.113.5", [], "203.0.113.5"),
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),
        # One trusted proxy: the address it appended.
        ("10.1.2.3", ["198.51.100.1"], "198.51.100.1"),
        # A client forging the header: the proxy appends the real address; the forged
        # left part is never believed.
        ("10.1.2.3", ["1.1.1.1, 198.51.100.1"], "198.51.100.1"),
        ("10.1.2.3", ["1.1.1.1", "198.51.100.1"], "198.51.100.1"),  # two header lines
        # A chain of trusted proxies: the right-most address that is not one of them.
        ("10.1.2.3", ["1.1.1.1, 198.51.100.1, 192.0.2.7, 10.9.9.9"], "198.51.100.1"),
        # Every hop trusted: the left-most.
        ("10.1.2.3", ["10.0.0.9, 192.0.2.7"], "10.0.0.9"),
        # Trusted proxy but no header: the proxy itself.
        ("10.1.2.3", [], "10.1.2.3"),
        ("10.1.2.3", [" , "], "10.1.2.3"),
        # Garbage where the client should be: the walk stops at the last trusted hop.
        ("10.1.2.3", ["198.51.100.1, unknown"], "10.1.2.3"),
        ("10.1.2.3", ["<script>"], "10.1.2.3"),
        # Ports and brackets as some proxies write them; IPv6; IPv4-mapped IPv6.
        ("10.1.2.3", ["198.51.100.1:4711"], "198.51.100.1"),
        ("10.1.2.3", ["[2001:db9::1]:443"], "2001:db9::1"),
        ("2001:db8::5", ["2001:db9::1"], "2001:db9::1"),
        ("::ffff:10.1.2.3", ["198.51.100.1"], "198.51.100.1"),
        ("::ffff:203.0.113.5", ["198.51.100.1"], "203.0.113.5"),
        # No peer at all (a UNIX socket): one shared bucket.
        (None, ["198.51.100.1"], "?"),
    ],
)
def test_client_address(peer: str | None, forwarded_for: list[str], client: str) -> None:
    assert client_address(peer, forwarded_for, PROXIES) == client


def test_without_trusted_proxies_forwarded_for_is_ignored() -> None:
    assert client_address("10.1.2.3", ["198.51.100.1"], ()) == "10.1.2.3"


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("203.0.113.5", "203.0.113.5"),
        (" 203.0.113.5 ", "203.0.113.5"),
        ("203.0.113.5:80", "203.0.113.5"),
        ("[::1]:80", "::1"),
        ("::1", "::1"),
        ("unknown", None),
        ("", None),
        ("999.1.1.1", None),
    ],
)
def test_parse_address(text: str, address: str | None) -> None:
    parsed = parse_address(text)
    assert (str(parsed) if parsed else None) == address


def test_bad_proxy_settings_are_refused_by_name(make_settings: Any) -> None:
    from monitor.errors import ConfigError

    with pytest.raises(ConfigError, match=r"trusted_proxies.*'10\.0\.0\.300'.*CIDR"):
        make_settings(trusted_proxies="10.0.0.1, 10.0.0.300")
    assert make_settings(trusted_proxies="127.0.0.1, ::1/128").trusted_proxies


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(start_web: Any) -> None:
    _, _, base = start_web(trusted_proxies="127.0.0.1")

    def codes(client: str, n: int) -> list[int]:
        headers = {"X-Forwarded-For": f"6.6.6.6, {client}"}  # the left part is forged
        return [call(f"{base}/u/not-a-token", headers=headers)[0] for _ in range(n)]

    assert 429 in codes("198.51.100.1", 15)  # the first client used up its bucket
    assert codes("198.51.100.2", 3) == [400, 400, 400]  # the next one is not held with it


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(
    start_web: Any,
) -> None:
    _, _, base = start_web()
    codes = [
        call(f"{base}/u/not-a-token", headers={"X-Forwarded-For": f"198.51.100.{n}"})[0]
        for n in range(15)
    ]
    assert codes[0] == 400 and 429 in codes
