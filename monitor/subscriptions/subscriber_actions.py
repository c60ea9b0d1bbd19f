"""What an operator does to one subscriber: pause or resume all delivery to them, and
resend the confirmation email. ``monitor subscriber pause-delivery | resume-delivery |
resend-confirmation`` and the operations page call these same functions; each records who
acted (``by``) in an ``audit.*`` log event.

Pausing sets the subscriber's status to ``paused``: the assembler, the volume watch and a
backfill send only to ``active`` subscribers, so nothing goes out and due deliveries are
skipped, while each subscription keeps its own paused flag (the reader's choice) as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.logs import get_logger
from monitor.notify.assemble import queue_confirmation
from monitor.store import subscribers as store
from monitor.store.db import transaction

log = get_logger(__name__)

PAUSED_REASON = "delivery paused by an operator"


@dataclass(frozen=True, slots=True)
class DeliveryChange:
    """A status to set (with its reason), or why nothing changes (``outcome``)."""

    outcome: str  # paused | resumed | already_paused | already_active | unsubscribed | bouncing
    status: str | None = None
    reason: str | None = None


def delivery_change(status: str, *, pause: bool) -> DeliveryChange:
    """What pausing (or resuming) does to a subscriber of ``status``.

    Only an active subscriber is paused (a bouncing or unsubscribed one gets nothing
    anyway). Resuming lifts a pause, and a bounce the operator says is fixed; it never
    undoes an unsubscription, which is the person's own choice.
    """
    if status == "unsubscribed":
        return DeliveryChange("unsubscribed")
    if pause:
        if status == "paused":
            return DeliveryChange("already_paused")
        if status == "bouncing":
            return DeliveryChange("bouncing")
        return DeliveryChange("paused", "paused", PAUSED_REASON)
    if status == "active":
        return DeliveryChange("already_active")
    return DeliveryChange("resumed", "active", None)


@dataclass(frozen=True, slots=True)
class ActionResult:
    """The subscriber acted on (None: no such subscriber) and the outcome's name."""

    subscriber_id: int | None
    email: str
    outcome: str


def set_delivery(engine: Engine, key: int | str, *, pause: bool, by: str) -> ActionResult:
    """Pause or resume delivery to the subscriber ``key`` (id or address)."""
    with transaction(engine) as conn:
        person = store.get_subscriber(conn, key)
        if person is None:
            return ActionResult(None, "", "missing")
        change = delivery_change(person.status, pause=pause)
        if change.status is not None:
            store.set_subscriber(conn, person.id, status=change.status, status_reason=change.reason)
    log.info(
        "audit.subscriber_delivery",
        by=by,
        subscriber_id=person.id,
        action="pause" if pause else "resume",
        outcome=change.outcome,
        was=person.status,
    )
    return ActionResult(person.id, person.email, change.outcome)


def resend_confirmation(
    settings: Settings, engine: Engine, key: int | str, *, by: str, now: datetime | None = None
) -> ActionResult:
    """Queue the confirmation email again for an unconfirmed subscriber, at most once a
    day (outcomes: queued, already_confirmed, unsubscribed, not_queued, missing)."""
    with transaction(engine) as conn:
        person = store.get_subscriber(conn, key)
    if person is None:
        return ActionResult(None, "", "missing")
    if person.confirmed:
        outcome = "already_confirmed"
    elif person.status == "unsubscribed":
        outcome = "unsubscribed"
    else:
        queued = queue_confirmation(
            settings, engine, person.id, now=now or datetime.now(UTC), resend=True
        )
        outcome = "queued" if queued else "not_queued"
    log.info("audit.confirmation_resent", by=by, subscriber_id=person.id, outcome=outcome)
    return ActionResult(person.id, person.email, outcome)
