"""What a receiver's answer means for a channel message: pure decisions, no I/O.

- 2xx: sent.
- 408, 429, 5xx, timeouts and connection failures: transient; retried with exponential
  backoff and full jitter, or at the time ``Retry-After`` names when the receiver gives
  one (seconds or an HTTP date, capped at :data:`MAX_RETRY_AFTER`). Telegram says it only
  in its JSON body (``parameters.retry_after``), which counts the same; given both, the
  longer wait wins.
- Any other status (4xx, and 3xx since redirects are not followed): permanent; the
  message fails and its destination is disabled with the reason.

A transient failure of the last allowed attempt fails the message but leaves the
destination enabled (the receiver may come back).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import orjson

BACKOFF_BASE = 5.0
BACKOFF_CAP = 1800.0
MAX_RETRY_AFTER = timedelta(hours=6)
TRANSIENT_STATUSES = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class Outcome:
    """``kind`` is sent, transient or permanent; ``retry_at`` is set for transient ones;
    ``disable`` says whether the destination is turned off (with ``reason``)."""

    kind: str
    reason: str
    retry_at: datetime | None = None
    disable: bool = False


def backoff(
    attempts: int, jitter: float, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> timedelta:
    """Full-jitter exponential backoff: up to 5 s, 10 s, 20 s … capped at 30 min (``base``:
    the first step, ``MONITOR_DISPATCH_RETRY_BASE``; ``cap``: the longest,
    ``MONITOR_DISPATCH_RETRY_CAP``, so a message that failed through a long outage is not
    left waiting far longer than the outage once the receiver is back).

    ``jitter`` in [0, 1] (the caller draws it) keeps this pure and testable.
    """
    ceiling = min(cap, base * 2 ** max(0, attempts - 1))
    return timedelta(seconds=(0.5 + 0.5 * min(1.0, max(0.0, jitter))) * ceiling)


def retry_after(headers: Mapping[str, str], now: datetime) -> timedelta | None:
    """The delay ``Retry-After`` asks for (delta-seconds or HTTP-date), or None."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), "").strip()
    if not value:
        return None
    if value.isdigit():
        delay = timedelta(seconds=int(value))
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        delay = when - now
    return min(max(delay, timedelta(0)), MAX_RETRY_AFTER)


def body_retry_after(body: str) -> timedelta | None:
    """The delay a JSON answer asks for in ``parameters.retry_after`` (Telegram's Bot API:
    ``{"ok": false, "error_code": 429, "parameters": {"retry_after": 35}}``), or None."""
    if not body.startswith("{"):
        return None
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    parameters = document.get("parameters") if isinstance(document, dict) else None
    value = parameters.get("retry_after") if isinstance(parameters, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return None
    return min(timedelta(seconds=value), MAX_RETRY_AFTER)


def asked_delay(headers: Mapping[str, str], body: str, now: datetime) -> timedelta | None:
    """The longest wait the answer asks for, in its headers or its body; None if neither."""
    asked = [d for d in (retry_after(headers, now), body_retry_after(body)) if d is not None]
    return max(asked) if asked else None


def _phrase(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _transient(
    reason: str,
    now: datetime,
    attempts: int,
    max_attempts: int,
    jitter: float,
    wait: timedelta | None = None,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
) -> Outcome:
    if attempts >= max_attempts:
        return Outcome("permanent", f"{reason} (gave up after {attempts} attempts)")
    delay = wait if wait is not None else backoff(attempts, jitter, base, cap)
    return Outcome("transient", reason, retry_at=now + delay)


def classify_response(
    status: int,
    headers: Mapping[str, str],
    now: datetime,
    *,
    attempts: int,
    max_attempts: int,
    jitter: float,
    detail: str = "",
    body: str = "",
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
) -> Outcome:
    """Decide what an HTTP answer means (see the module docstring). ``detail``: what the
    reason quotes of the answer; ``body``: its start, read for Telegram's retry_after."""
    said = f"HTTP {_phrase(status)}" + (f": {detail}" if detail else "")
    if 200 <= status < 300:
        return Outcome("sent", f"HTTP {_phrase(status)}")
    if status in TRANSIENT_STATUSES or status >= 500:
        wait = asked_delay(headers, body, now)
        return _transient(said, now, attempts, max_attempts, jitter, wait, base, cap)
    advice = "check the URL (or chat id) and add the destination again"
    return Outcome("permanent", f"{said}; {advice}", disable=True)


def classify_failure(
    error: str,
    now: datetime,
    *,
    attempts: int,
    max_attempts: int,
    jitter: float,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
) -> Outcome:
    """A timeout or network failure (nothing answered): transient."""
    return _transient(error, now, attempts, max_attempts, jitter, base=base, cap=cap)


def refused_outcome(reason: str) -> Outcome:
    """The address policy refused the destination's host: permanent, and disabled."""
    return Outcome("permanent", f"refused: {reason}", disable=True)
