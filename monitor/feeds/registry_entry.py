"""What may enter the feed registry, checked in one place (``feed add`` and ``feed import``).

``check_feed_entry`` is pure: it turns a feed as given (flags, a TOML table, an OPML
outline) into a normalized ``FeedEntry`` or a list of ``Problem``s naming each field. URLs
are judged by the fetcher's own ``AddressPolicy`` (monitor/feeds/hosts.py): a literal
address the poller would refuse is refused here. A host *name* is judged by resolving it
with the fetcher's ``PolicyResolver`` (``dns_refusal``, the I/O half); the fetcher checks
again on every connection, so the entry check is a courtesy, not the guard.
"""

from __future__ import annotations

import asyncio
import ipaddress
import math
import re
import socket
from dataclasses import dataclass

from yarl import URL

from monitor.errors import Problem
from monitor.feeds.hosts import AddressPolicy, PolicyResolver, RefusedAddressError
from monitor.language_tags import standard_tag

MAX_URL = 2048
MAX_NAME = 300
STATES = ("active", "paused", "gone")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class FeedInput:
    """A feed as given. ``state`` and ``state_reason`` come only from monitor's own OPML."""

    url: str
    name: str | None = ""
    outlet: str | None = ""
    language: str | None = None
    interval: str | float | int | None = None
    state: str | None = None
    state_reason: str | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """A checked feed, as the registry stores it."""

    url: str
    name: str
    outlet: str
    language: str | None
    interval: float | None  # seconds; None: MONITOR_POLL_INTERVAL
    state: str = "active"
    state_reason: str | None = None

    @property
    def host(self) -> str:
        return URL(self.url).raw_host or ""


@dataclass(frozen=True, slots=True)
class IntervalBounds:
    """The poller's clamp (MONITOR_POLL_MIN_INTERVAL … MAX_INTERVAL), in seconds."""

    low: float
    high: float


def check_feed_entry(
    given: FeedInput, *, policy: AddressPolicy, bounds: IntervalBounds
) -> FeedEntry | list[Problem]:
    """``given`` as a registry entry, or every problem found."""
    problems: list[Problem] = []

    def keep(field: str, message: str | None) -> None:
        if message:
            problems.append(Problem(field, message))

    url = (given.url or "").strip()
    keep("url", _url_problem(url, policy))
    name, name_problem = _text(given.name)
    keep("name", name_problem)
    outlet, outlet_problem = _text(given.outlet)
    keep("outlet", outlet_problem)
    language = None
    if given.language is not None and given.language.strip():
        language = standard_tag(given.language)
        if language is None:
            keep("language", f"unknown language {given.language!r} (use a tag like en, es, pt-BR)")
    interval, interval_problem = _interval(given.interval, bounds)
    keep("interval", interval_problem)
    state = (given.state or "active").strip().lower()
    if state not in STATES:
        keep("state", f"one of {', '.join(STATES)}; got {given.state!r}")
    reason = (given.state_reason or "").strip() or None
    if problems:
        return problems
    name = name or outlet or url
    return FeedEntry(
        url=url,
        name=name,
        outlet=outlet or name,
        language=language,
        interval=interval,
        state=state,
        state_reason=reason if state != "active" else None,
    )


def _url_problem(url: str, policy: AddressPolicy) -> str | None:
    if not url:
        return "a feed URL is required"
    if len(url) > MAX_URL:
        return f"at most {MAX_URL} characters"
    if _CONTROL.search(url) or " " in url:
        return "URLs contain no spaces or control characters"
    try:
        parsed = URL(url)
    except (ValueError, TypeError) as exc:
        return f"not a URL: {exc}"
    if not parsed.is_absolute() or parsed.scheme not in ("http", "https"):
        return f"feed URLs must be absolute http(s) URLs, got {url[:200]!r}"
    refusal = policy.url_refusal(parsed)
    if refusal is not None:
        return _explain(refusal, policy)
    return None


def _explain(refusal: str, policy: AddressPolicy) -> str:
    if not policy.allow_private and ("private" in refusal or "loopback" in refusal):
        return f"{refusal}; set MONITOR_ALLOW_PRIVATE_ADDRESSES=true to poll intranet feeds"
    return refusal


def _text(value: str | None) -> tuple[str, str | None]:
    text = value or ""
    if _CONTROL.search(text):
        return "", "plain text on one line (no control characters)"
    text = " ".join(text.split())
    if len(text) > MAX_NAME:
        return "", f"at most {MAX_NAME} characters, got {len(text)}"
    return text, None


def _interval(value: str | float | int | None, bounds: IntervalBounds) -> tuple[float | None, str | None]:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    wanted = f"seconds from {bounds.low:g} to {bounds.high:g} (MONITOR_POLL_MIN_INTERVAL … MAX_INTERVAL)"
    if isinstance(value, bool):
        return None, f"{wanted}; got {value!r}"
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None, f"{wanted}; got {value!r}"
    if not math.isfinite(seconds) or not bounds.low <= seconds <= bounds.high:
        return None, f"{wanted}; got {value!r}"
    return seconds, None


async def dns_refusal(host: str, policy: AddressPolicy, *, timeout: float = 3.0) -> str | None:
    """Why the fetcher would refuse every address ``host`` resolves to, or None (also when
    it does not resolve now: the poller records that error when it polls)."""
    resolver = PolicyResolver(policy)
    try:
        await asyncio.wait_for(resolver.resolve(host, 0, socket.AF_UNSPEC), timeout)
    except RefusedAddressError as exc:
        return _explain(str(exc), policy)
    except (OSError, TimeoutError):
        return None
    finally:
        await resolver.close()
    return None


async def dns_refusals(hosts: set[str], policy: AddressPolicy) -> dict[str, str]:
    """``dns_refusal`` for several hosts at once: the refused ones, with why."""
    names = sorted(h for h in hosts if h and not policy.is_listed(h) and not _is_literal(h))
    answers = await asyncio.gather(*(dns_refusal(name, policy) for name in names))
    return {name: answer for name, answer in zip(names, answers, strict=True) if answer}


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True
