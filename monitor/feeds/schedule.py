"""When to poll a feed next: pure decisions over the last response, like Miniflux's, but kinder.

After a success the next poll waits for the *longest* of our own interval and the server's
hints — ``Cache-Control: max-age``, ``Expires``, RSS ``<ttl>``, ``sy:updatePeriod`` ×
``sy:updateFrequency`` — clamped to ``[min_interval, max_interval]`` and jittered so feeds
do not all fire together. After an error it backs off exponentially with jitter, up to a cap
(6 h by default), never sooner than the server's ``Retry-After`` and never "disabled
forever": a feed that failed a thousand times is still tried every ``max_backoff``.

Randomness comes from a ``random.Random`` the caller passes in, so tests are deterministic.
``validators_lie`` spots servers whose ETag/Last-Modified claim "unchanged" while the
content changed, so the poller can stop trusting them.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

DEFAULT_MAX_BACKOFF = timedelta(hours=6)
# A Retry-After longer than this is read as this: a server cannot switch a feed off.
RETRY_AFTER_LIMIT = timedelta(hours=24)
DEFAULT_JITTER = 0.1
_MAX_AGE = re.compile(r"""(?:^|[,\s])max-age\s*=\s*"?(\d{1,10})"?""", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])", re.IGNORECASE)
_DIGITS = re.compile(r"^\s*(\d{1,10})\s*$")

BackoffStrategy = Literal["full", "decorrelated"]
_SYSTEM_RANDOM = random.Random()


def parse_cache_control_max_age(value: str | None) -> float | None:
    """Seconds from ``Cache-Control: max-age=N``; None when absent or the response is uncacheable."""
    if not value or _NO_CACHE.search(value):
        return None
    match = _MAX_AGE.search(value)
    return float(match.group(1)) if match else None


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (RFC 9110: IMF-fixdate, RFC 850 or asctime) as aware UTC, or None."""
    if not value or not value.strip():
        return None
    try:
        moment = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:  # asctime has no zone; HTTP dates are GMT
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_expires(
    value: str | None, now: datetime, *, date_header: str | None = None
) -> float | None:
    """Seconds until ``Expires``; None when absent, invalid or already past.

    When the response's ``Date`` is given, the lifetime is ``Expires - Date`` (immune to our
    clock's skew against the server's), as RFC 9111 says.
    """
    expires = parse_http_date(value)
    if expires is None:
        return None
    reference = parse_http_date(date_header) or _as_utc(now)
    seconds = (expires - reference).total_seconds()
    return seconds if seconds > 0 else None


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from ``Retry-After`` (delay-seconds or an HTTP-date); None if unusable.

    A date in the past means "now": 0.0.
    """
    if value is None:
        return None
    digits = _DIGITS.match(value)
    if digits:
        return float(digits.group(1))
    moment = parse_http_date(value)
    if moment is None:
        return None
    return max(0.0, (moment - _as_utc(now)).total_seconds())


def next_poll_after_success(
    now: datetime,
    *,
    base_interval: timedelta,
    min_interval: timedelta,
    max_interval: timedelta,
    cache_control: str | None = None,
    expires: str | None = None,
    date_header: str | None = None,
    ttl_minutes: int | None = None,
    sy_interval: float | None = None,
    jitter: float = DEFAULT_JITTER,
    rng: random.Random | None = None,
) -> datetime:
    """When to poll again after a good response.

    The delay is ``max(base_interval, server hints)`` clamped to ``[min_interval,
    max_interval]``, then stretched or shrunk by up to ``jitter`` (a fraction) — but never
    below the largest server hint or ``min_interval``, and never above ``max_interval``.
    """
    hints = [
        seconds
        for seconds in (
            parse_cache_control_max_age(cache_control),
            parse_expires(expires, now, date_header=date_header),
            ttl_minutes * 60.0 if ttl_minutes and ttl_minutes > 0 else None,
            sy_interval if sy_interval and sy_interval > 0 else None,
        )
        if seconds is not None
    ]
    low, high = min_interval.total_seconds(), max(min_interval, max_interval).total_seconds()
    wanted = max([base_interval.total_seconds(), *hints])
    delay = _clamp(wanted, low, high)
    floor = _clamp(max(hints, default=low), low, high)
    generator = rng or _SYSTEM_RANDOM
    jittered = delay * generator.uniform(1.0 - jitter, 1.0 + jitter) if jitter > 0 else delay
    return _as_utc(now) + timedelta(seconds=_clamp(jittered, max(floor, low), high))


def next_poll_after_error(
    now: datetime,
    *,
    error_count: int,
    base_interval: timedelta,
    max_backoff: timedelta = DEFAULT_MAX_BACKOFF,
    retry_after: float | str | None = None,
    rng: random.Random | None = None,
    strategy: BackoffStrategy = "full",
    previous_delay: timedelta | None = None,
) -> datetime:
    """When to try again after the ``error_count``-th consecutive failure (1 = first).

    ``full``: uniform in ``[base, min(cap, base × 2^(n-1))]`` — never sooner than a healthy
    feed would be polled. ``decorrelated`` (AWS's): uniform in ``[base, 3 × previous_delay]``,
    capped. ``retry_after`` (seconds, or the raw header) is a floor, itself limited to
    ``max(max_backoff, RETRY_AFTER_LIMIT)`` so no server can switch a feed off.
    """
    generator = rng or _SYSTEM_RANDOM
    base = max(base_interval.total_seconds(), 1.0)
    cap = max(max_backoff.total_seconds(), base)
    attempt = min(max(error_count, 1), 64)  # 2**63 seconds is already past any cap
    if strategy == "decorrelated":
        previous = previous_delay.total_seconds() if previous_delay else base
        delay = min(cap, generator.uniform(base, max(base, previous * 3)))
    else:
        ceiling = min(cap, base * 2.0 ** (attempt - 1))
        delay = generator.uniform(base, ceiling)
    if isinstance(retry_after, str):
        retry_after = parse_retry_after(retry_after, now)
    if retry_after is not None and retry_after > 0:
        limit = max(cap, RETRY_AFTER_LIMIT.total_seconds())
        delay = max(delay, min(retry_after, limit))
    return _as_utc(now) + timedelta(seconds=delay)


def validators_lie(
    *, new_items: int, known_items: int, audited_304: bool, etag_unchanged: bool
) -> bool:
    """Whether a server's conditional-GET validators cannot be trusted, from one fetch.

    Now and then the poller follows a conditional request that got 304 Not Modified with an
    unconditional one (``audited_304``); ``etag_unchanged`` says this response carries the
    ETag of the last full one. New items under either "unchanged" answer mean the
    validators lie, and the poller should fetch unconditionally. A same-ETag response counts
    only when some of its items are already known: with none known, the stored ETag belongs
    to items the poller has forgotten, and there is nothing to compare. Items that merely
    dropped off the end are not evidence either: feeds trim old entries, so only new items
    are counted.
    """
    return new_items > 0 and (audited_304 or (etag_unchanged and known_items > 0))


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
