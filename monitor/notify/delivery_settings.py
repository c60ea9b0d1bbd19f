"""Turns a subscription row into delivery policy inputs, and policy decisions into due times."""

from __future__ import annotations

from monitor.notify.policy import DeliverySettings, parse_local_time
from monitor.store.subscribers import SubscriberRow, SubscriptionRow


def delivery_settings(
    subscription: SubscriptionRow, subscriber: SubscriberRow, *, mode: str | None = None
) -> DeliverySettings:
    quiet = subscription.quiet_start and subscription.quiet_end
    return DeliverySettings(
        mode=(mode or subscription.mode),  # type: ignore[arg-type]
        time_zone=subscriber.time_zone or "UTC",
        local_time=parse_local_time(subscription.digest_time or "08:00"),
        weekday=subscription.digest_weekday,
        quiet_start=parse_local_time(subscription.quiet_start) if quiet else None,  # type: ignore[arg-type]
        quiet_end=parse_local_time(subscription.quiet_end) if quiet else None,  # type: ignore[arg-type]
        daily_cap=subscription.daily_cap,
    )
