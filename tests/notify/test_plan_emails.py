"""plan_emails: which emails a subscription's due deliveries become (caps, bundles, digests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import pytest

from monitor.notify.policy import DeliverySettings, EmailPlan, plan_emails

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo (UTC-03)
SAO_PAULO = "America/Sao_Paulo"


@dataclass(frozen=True, slots=True)
class Due:
    """A due delivery as the planner sees it; ``id`` names it in the tables below."""

    id: int
    mode: str
    due_at: datetime
    created_at: datetime
    revision: int = 1


def now_alert(n: int, revision: int = 1) -> Due:
    """An immediate delivery due when it was created (not held)."""
    at = NOW - timedelta(minutes=n)
    return Due(n, "immediate", at, at, revision)


def held(n: int, released: datetime = NOW) -> Due:
    """An immediate delivery created in the night and held until ``released``."""
    return Due(n, "immediate", released, released - timedelta(hours=8, minutes=n))


def digest(n: int, due_at: datetime, mode: str = "daily") -> Due:
    return Due(n, mode, due_at, due_at - timedelta(hours=3 + n))


MORNING = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)  # 08:00 local
YESTERDAY_MORNING = MORNING - timedelta(days=1)
CATCH_UP = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)  # next 08:00 local after NOW


def prefs(mode: str = "immediate", cap: int | None = None) -> DeliverySettings:
    return DeliverySettings(
        mode=mode,  # type: ignore[arg-type]
        time_zone=SAO_PAULO,
        local_time=time(8, 0),
        quiet_start=time(22, 0),
        quiet_end=time(7, 0),
        daily_cap=cap,
    )


def summary(plans: list[EmailPlan[Due]]) -> list[tuple[str, tuple[int, ...]]]:
    return [(plan.action, tuple(d.id for d in plan.deliveries)) for plan in plans]


CASES = [
    pytest.param([now_alert(1)], prefs(), 0, [("alert", (1,))], id="one-alert"),
    pytest.param(
        [now_alert(1), now_alert(2, revision=3)],
        prefs(),
        0,
        [("alert", (1,)), ("update", (2,))],
        id="alert-and-update",
    ),
    pytest.param(
        [now_alert(1), now_alert(2), now_alert(3)],
        prefs(cap=5),
        3,
        [("defer", (3,)), ("alert", (1,)), ("alert", (2,))],
        id="cap-leaves-room-for-two",
    ),
    pytest.param(
        [now_alert(1), now_alert(2)],
        prefs(cap=2),
        7,
        [("defer", (1, 2))],
        id="over-the-cap-already",
    ),
    pytest.param([now_alert(1), now_alert(2)], prefs(cap=0), 0, [("defer", (1, 2))], id="cap-zero"),
    pytest.param(
        [now_alert(1)] * 1 + [now_alert(2)],
        prefs(cap=None),
        500,
        [("alert", (1,)), ("alert", (2,))],
        id="no-cap",
    ),
    pytest.param([held(1)], prefs(), 0, [("alert", (1,))], id="one-held-is-a-plain-alert"),
    pytest.param(
        [held(1), now_alert(2), held(3)],
        prefs(),
        0,
        [("alert", (2,)), ("digest", (1, 3))],
        id="held-ones-bundled",
    ),
    pytest.param(
        [held(1), held(2), held(3)],
        prefs(cap=2),
        1,
        [("defer", (2, 3)), ("alert", (1,))],
        id="cap-before-bundling",
    ),
    pytest.param(
        [digest(1, MORNING), digest(2, MORNING), digest(3, YESTERDAY_MORNING)],
        prefs("daily"),
        0,
        [("digest", (1, 2)), ("digest", (3,))],
        id="one-digest-per-due-time",
    ),
    pytest.param(
        [digest(1, MORNING), digest(2, MORNING, mode="immediate"), digest(3, MORNING, "hourly")],
        prefs("daily"),
        0,
        [("alert", (2,)), ("digest", (1,)), ("digest", (3,))],
        id="modes-kept-apart",
    ),
    pytest.param([], prefs(), 0, [], id="nothing-due"),
]


@pytest.mark.parametrize(("due", "settings", "sent_today", "expected"), CASES)
def test_plan_emails(
    due: list[Due],
    settings: DeliverySettings,
    sent_today: int,
    expected: list[tuple[str, tuple[int, ...]]],
) -> None:
    plans = plan_emails(due, settings, sent_today, NOW)
    assert summary(plans) == expected
    planned = [d.id for plan in plans for d in plan.deliveries]
    assert sorted(planned) == sorted(d.id for d in due)  # each delivery in exactly one plan


def test_deferred_deliveries_go_to_the_next_local_catch_up_digest() -> None:
    defer, alert = plan_emails([now_alert(1), now_alert(2)], prefs(cap=1), 0, NOW)
    assert (defer.action, defer.due_at) == ("defer", CATCH_UP)
    assert alert.action == "alert" and alert.due_at is None and alert.period is None


def test_bundle_period_runs_from_the_first_held_alert_to_the_release() -> None:
    first, second = held(5), held(9)
    (bundle,) = plan_emails([first, second], prefs(), 0, NOW)
    assert bundle.period is not None
    assert bundle.period.name == "Held during quiet hours"
    assert (bundle.period.start, bundle.period.end) == (second.created_at, NOW)
    assert bundle.period.key == "held.20261127T1500Z"


def test_digest_period_is_the_day_before_its_due_time_in_its_own_mode() -> None:
    daily, hourly = digest(1, MORNING), digest(2, MORNING, "hourly")
    plans = plan_emails([daily, hourly], prefs("immediate"), 0, NOW)
    periods = [plan.period for plan in plans]
    assert periods[0] is not None and periods[1] is not None
    assert (periods[0].start, periods[0].end) == (YESTERDAY_MORNING, MORNING)
    assert periods[0].key == "daily.20261127T1100Z" and periods[0].label == "2026-11-27"
    assert periods[1].key == "hourly.20261127T1100Z"
    assert periods[1].start == MORNING - timedelta(hours=1)
