"""When each alert goes out: immediately, held for quiet hours, or in a digest. Pure.

The rules, in the order :func:`decide_delivery` applies them:

1. **Digest modes** (``hourly``, ``daily``, ``weekly``): every alert waits for the next
   digest due after it arrived. Daily and weekly digests go at the subscriber's chosen
   local time (and weekday) even inside quiet hours, because they chose it; hourly
   digests skip the hours inside quiet hours, so the night's alerts arrive as one digest
   when the quiet window ends.
2. **Daily cap** (``immediate`` mode): once ``daily_cap`` immediate emails went out since
   local midnight, further alerts roll into the next *catch-up digest*, due daily at the
   subscriber's ``local_time`` (08:00 by default). A cap of ``None`` means no cap.
3. **Quiet hours** (``immediate`` mode): an alert arriving inside the window is held until
   the window ends. All alerts held to the same ``send_at`` are sent **bundled**: one
   alert as a normal alert email, two or more as one mini-digest described by
   :func:`held_period`. A bundle counts as one email toward the cap.
4. Otherwise the alert is sent now.

Digest periods are half-open, ``[previous due, due)``: an alert created exactly at a due
time belongs to the next digest, so no alert is in two digests or in none.
Wall-clock times across DST follow :mod:`monitor.notify.timezones`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import Generic, Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

from monitor.notify.timezones import as_zone, load_zone, local_instants, require_utc, resolve_local

DeliveryMode = Literal["immediate", "hourly", "daily", "weekly"]
DELIVERY_MODES: tuple[DeliveryMode, ...] = ("immediate", "hourly", "daily", "weekly")
Action = Literal["send", "hold", "digest"]
EmailAction = Literal["alert", "update", "digest", "defer"]
# A delivery whose due time is later than its creation by more than this was held by
# quiet hours (an immediate delivery is otherwise due when it is created).
HELD_MARGIN = timedelta(seconds=1)

_DIGEST_NAMES: dict[DeliveryMode, str] = {
    "immediate": "Catch-up digest",
    "hourly": "Hourly digest",
    "daily": "Daily digest",
    "weekly": "Weekly digest",
}
# Candidate digest times are searched this far around the reference instant; enough for a
# weekly digest and for an hourly digest skipping a quiet window of up to a day.
_HOURLY_SEARCH = timedelta(hours=26)
_QUARTER_HOUR = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class DeliverySettings:
    """A subscription's delivery preferences, in the subscriber's own wall-clock terms.

    ``weekday`` is Monday=0 (only for weekly). ``quiet_start == quiet_end`` means no quiet
    hours; ``quiet_start > quiet_end`` spans midnight (22:00–07:00).
    """

    mode: DeliveryMode = "immediate"
    time_zone: str = "UTC"
    local_time: time = time(8, 0)
    weekday: int = 0
    quiet_start: time | None = None
    quiet_end: time | None = None
    daily_cap: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in DELIVERY_MODES:
            raise ValueError(f"unknown delivery mode {self.mode!r}")
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet hours need both a start and an end")
        if self.daily_cap is not None and self.daily_cap < 0:
            raise ValueError("daily cap must be zero or more")
        for moment in (self.local_time, self.quiet_start, self.quiet_end):
            if moment is not None and moment.tzinfo is not None:
                raise ValueError("preference times are naive local wall-clock times")
        load_zone(self.time_zone)


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """Which alerts one digest covers, ``[start, end)`` in UTC, and how to name it.

    ``key`` is stable (mode and due time in UTC) and goes into the Message-ID; ``label``
    is the recipient-local date or time for the subject line.
    """

    name: str
    start: datetime
    end: datetime
    key: str
    label: str
    # Which digest this is (a delivery mode or "held"): the composer names and dates it
    # in the reader's language from this and ``end`` (monitor/notify/wording.py).
    kind: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with one alert for one subscription, and when (UTC)."""

    action: Action
    send_at: datetime
    reason: str


def parse_local_time(text: str) -> time:
    """``"08:00"`` (as stored) to a wall-clock time; ValueError for anything else."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not (
        hours.isascii() and hours.isdigit() and minutes.isascii() and minutes.isdigit()
    ):
        raise ValueError(f"expected HH:MM, got {text!r}")
    return time(int(hours), int(minutes))


def in_quiet_hours(now: datetime, tz: str | ZoneInfo, start: time, end: time) -> bool:
    """True if the local wall clock at ``now`` is in ``[start, end)``; may span midnight."""
    local = require_utc(now, "now").astimezone(as_zone(tz)).time().replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def release_time(now: datetime, tz: str | ZoneInfo, start: time, end: time) -> datetime:
    """When the quiet window containing ``now`` ends (UTC); ``now`` itself if not quiet."""
    now = require_utc(now, "now")
    zone = as_zone(tz)
    if not in_quiet_hours(now, zone, start, end):
        return now
    local = now.astimezone(zone)
    day = local.date()
    if start > end and local.time().replace(tzinfo=None) >= start:
        day += timedelta(days=1)
    # The end may be a repeated wall-clock time; take its first occurrence after now.
    later = [instant for instant in local_instants(day, end, zone) if instant > now]
    return later[0] if later else now


def within_daily_cap(sent_today: int, cap: int | None) -> bool:
    """True if one more immediate email fits under ``cap`` (None means unlimited)."""
    return cap is None or sent_today < cap


def local_day_start(now: datetime, tz: str | ZoneInfo) -> datetime:
    """UTC instant the subscriber's local day began; count ``sent_today`` from here."""
    zone = as_zone(tz)
    return resolve_local(require_utc(now, "now").astimezone(zone).date(), time(0, 0), zone)


def _in_quiet(settings: DeliverySettings, moment: datetime, zone: ZoneInfo) -> bool:
    if settings.quiet_start is None or settings.quiet_end is None:
        return False
    return in_quiet_hours(moment, zone, settings.quiet_start, settings.quiet_end)


@lru_cache(maxsize=4096)
def _due_candidates(settings: DeliverySettings, around: datetime) -> tuple[datetime, ...]:
    """Digest due instants near ``around``, ascending (covers more than one period each way).

    Remembered: a pass asks the same few questions for thousands of subscriptions (every
    daily 08:00 subscriber of one zone has equal settings and the same due time), and each
    answer resolves some 24 local times in the zone."""
    zone = load_zone(settings.time_zone)
    if settings.mode == "hourly":
        # Local whole hours are UTC quarter hours for every current zone (+05:45, −03:30…).
        first = around.replace(minute=0, second=0, microsecond=0) - _HOURLY_SEARCH
        steps = int(2 * _HOURLY_SEARCH / _QUARTER_HOUR)
        instants = (first + step * _QUARTER_HOUR for step in range(steps))
        return tuple(
            instant
            for instant in instants
            if instant.astimezone(zone).minute == 0 and not _in_quiet(settings, instant, zone)
        )
    today = around.astimezone(zone).date()
    days = (today + timedelta(days=offset) for offset in range(-8, 16))
    if settings.mode == "weekly":
        days = (day for day in days if day.weekday() == settings.weekday)
    return tuple(resolve_local(day, settings.local_time, zone) for day in days)


def next_digest_due(settings: DeliverySettings, after: datetime) -> datetime:
    """The first digest due strictly after ``after`` (UTC).

    ``immediate`` subscriptions get a daily catch-up digest at ``local_time`` for alerts
    over their cap, so for them this is the next such time.
    """
    after = require_utc(after, "after")
    later = [due for due in _due_candidates(settings, after) if due > after]
    if not later:
        raise ValueError(f"no digest time found after {after.isoformat()}")
    return later[0]


def previous_digest_due(settings: DeliverySettings, before: datetime) -> datetime:
    """The last digest due strictly before ``before`` (UTC)."""
    before = require_utc(before, "before")
    earlier = [due for due in _due_candidates(settings, before) if due < before]
    if not earlier:
        raise ValueError(f"no digest time found before {before.isoformat()}")
    return earlier[-1]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%MZ")


def digest_period(settings: DeliverySettings, due: datetime) -> DigestPeriod:
    """The period a digest due at ``due`` covers: ``[previous due, due)``."""
    due = require_utc(due, "due")
    local = due.astimezone(load_zone(settings.time_zone))
    if settings.mode == "hourly":
        label = local.strftime("%Y-%m-%d %H:%M")
    elif settings.mode == "weekly":
        label = f"week to {local:%Y-%m-%d}"
    else:
        label = local.strftime("%Y-%m-%d")
    return DigestPeriod(
        name=_DIGEST_NAMES[settings.mode],
        start=previous_digest_due(settings, due),
        end=due,
        key=f"{settings.mode}.{_stamp(due)}",
        label=label,
        kind=settings.mode,
    )


def held_period(
    settings: DeliverySettings, release_at: datetime, held_since: datetime
) -> DigestPeriod:
    """Describe a bundle of alerts held by quiet hours and released at ``release_at``."""
    release_at = require_utc(release_at, "release_at")
    local = release_at.astimezone(load_zone(settings.time_zone))
    return DigestPeriod(
        name="Held during quiet hours",
        start=require_utc(held_since, "held_since"),
        end=release_at,
        key=f"held.{_stamp(release_at)}",
        label=local.strftime("%Y-%m-%d %H:%M"),
        kind="held",
    )


def decide_delivery(now: datetime, settings: DeliverySettings, sent_today: int) -> Decision:
    """Apply the module's rules to one alert arriving at ``now``.

    ``sent_today`` is how many immediate emails (bundles count once) this subscription
    sent since :func:`local_day_start`.
    """
    now = require_utc(now, "now")
    if settings.mode != "immediate":
        return Decision("digest", next_digest_due(settings, now), f"{settings.mode} digest")
    if not within_daily_cap(sent_today, settings.daily_cap):
        return Decision("digest", next_digest_due(settings, now), "daily cap reached")
    zone = load_zone(settings.time_zone)
    start, end = settings.quiet_start, settings.quiet_end
    if start is not None and end is not None and in_quiet_hours(now, zone, start, end):
        return Decision("hold", release_time(now, zone, start, end), "quiet hours")
    return Decision("send", now, "immediate")


class PlannedDelivery(Protocol):
    """What :func:`plan_emails` reads of a due delivery (the outbox's row has more)."""

    @property
    def mode(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def revision(self) -> int: ...


D = TypeVar("D", bound=PlannedDelivery)


@dataclass(frozen=True, slots=True)
class EmailPlan(Generic[D]):
    """One thing the assembler does with some of a subscription's due deliveries.

    ``alert`` / ``update``: one delivery, one email. ``digest``: the deliveries in one
    email covering ``period`` (a digest, a catch-up digest or a quiet-hours bundle).
    ``defer``: deliveries over the daily cap, moved to the catch-up digest due at
    ``due_at`` (no email now).
    """

    action: EmailAction
    deliveries: tuple[D, ...]
    period: DigestPeriod | None = None
    due_at: datetime | None = None


def plan_emails(
    deliveries: Sequence[D], prefs: DeliverySettings, sent_today: int, now: datetime
) -> list[EmailPlan[D]]:
    """Decide the emails for one subscription's due ``deliveries`` at ``now``. Pure.

    ``prefs`` are the subscription's settings (its current mode); ``sent_today`` is how
    many immediate emails it sent since :func:`local_day_start` (bundles count once).
    Immediate deliveries past the daily cap are deferred (first, before any email);
    the rest go one email each, except that two or more held by quiet hours go as one
    bundle. Digest deliveries form one digest per (mode, due time), in order of first
    appearance. Every delivery is in exactly one plan.
    """
    plans: list[EmailPlan[D]] = []
    immediate = [d for d in deliveries if d.mode == "immediate"]
    if immediate:
        cap = prefs.daily_cap
        room = len(immediate) if cap is None else max(0, cap - sent_today)
        allowed, over = immediate[:room], immediate[room:]
        if over:
            catch_up = next_digest_due(dataclasses.replace(prefs, mode="daily"), now)
            plans.append(EmailPlan("defer", tuple(over), due_at=catch_up))
        held = [d for d in allowed if d.due_at - d.created_at > HELD_MARGIN]
        bundle = len(held) > 1
        bundled = {id(d) for d in held} if bundle else set()
        for delivery in allowed:
            if id(delivery) in bundled:
                continue
            plans.append(EmailPlan("alert" if delivery.revision == 1 else "update", (delivery,)))
        if bundle:
            period = held_period(
                prefs, max(d.due_at for d in held), min(d.created_at for d in held)
            )
            plans.append(EmailPlan("digest", tuple(held), period=period))
    by_due: dict[tuple[str, datetime], list[D]] = {}
    for delivery in deliveries:
        if delivery.mode != "immediate":
            by_due.setdefault((delivery.mode, delivery.due_at), []).append(delivery)
    for (mode, due_at), batch in by_due.items():
        period = digest_period(dataclasses.replace(prefs, mode=mode), due_at)  # type: ignore[arg-type]
        plans.append(EmailPlan("digest", tuple(batch), period=period))
    return plans
