"""`monitor subscriber destination …`: a subscription's webhooks and chats.

``add`` checks the input at the door (monitor.delivery.targets) and stores the target
encrypted; a webhook's signing secret is generated and shown once. ``list`` shows
targets redacted (scheme and host only), never the URL or chat id. ``test`` posts a test
message now, through the same formatter, address policy and decision as the dispatcher,
and prints the outcome; a permanent refusal disables the destination, as in delivery.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
from sqlalchemy import Engine

from monitor.config import Settings
from monitor.delivery import dispatcher
from monitor.delivery.channels import KINDS, format_request
from monitor.delivery.content import trial_message
from monitor.delivery.outcomes import Outcome
from monitor.delivery.secrets import DestinationCipher, hint_of, reseal_all
from monitor.delivery.targets import check_chat_id, check_url
from monitor.errors import InputError
from monitor.feeds.hosts import HostLimiter
from monitor.store import channel_ledger as ledger
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.store.migrate import checked_database


@dataclass(frozen=True, slots=True)
class NewDestination:
    """What ``add`` was asked for: one kind and its URL or chat id."""

    subscription_id: int
    kind: str
    target: str


def _say(line: str) -> None:
    print(line, flush=True)


def checked_target(settings: Settings, kind: str, target: str) -> str:
    if kind == "telegram":
        return check_chat_id(target)
    return check_url(
        target,
        policy=dispatcher.address_policy(settings),
        allow_http=settings.destinations_allow_http,
    )


@dataclass(frozen=True, slots=True)
class CreatedDestination:
    """A stored destination: its id, redacted target, and a webhook's signing secret (to
    show once, never stored in the clear)."""

    id: int
    hint: str
    signing_secret: str | None


def create_destination(
    settings: Settings, engine: Engine, new: NewDestination, *, owner: int | None = None
) -> CreatedDestination:
    """Check ``new`` at the door (kind, URL or chat id, address policy) and store it sealed;
    the CLI's ``add`` and the workspace both call this. ``owner``: the subscription must be
    this subscriber's (the workspace's reader), else it counts as missing. InputError says
    what to fix; nothing refused is stored."""
    if new.kind not in KINDS:
        raise InputError(f"unknown kind {new.kind!r}; choose one of: {', '.join(KINDS)}")
    target = checked_target(settings, new.kind, new.target)
    cipher = DestinationCipher(settings.destination_keys())
    secret = secrets.token_urlsafe(32) if new.kind == "webhook" else None
    hint = hint_of(new.kind, target)
    with transaction(engine) as conn:
        subscription = subscriber_store.get_subscription(conn, new.subscription_id)
        if subscription is None or (owner is not None and subscription.subscriber_id != owner):
            raise InputError(
                f"no subscription {new.subscription_id}; `monitor subscriber list` shows the ids"
            )
        destination_id = ledger.add_destination(
            conn,
            subscription_id=new.subscription_id,
            kind=new.kind,
            target=cipher.seal(target),
            target_hint=hint,
            signing_secret=cipher.seal(secret) if secret else None,
            now=datetime.now(UTC),
        )
    return CreatedDestination(destination_id, hint, secret)


def add_destination(settings: Settings, engine: Engine, new: NewDestination) -> int:
    created = create_destination(settings, engine, new)
    _say(
        f"destination {created.id}: {new.kind} {created.hint} for "
        f"subscription {new.subscription_id}"
    )
    if new.kind == "telegram" and not settings.telegram_bot_token.get_secret_value():
        _say("  note: set MONITOR_TELEGRAM_BOT_TOKEN, or nothing reaches Telegram")
    if created.signing_secret:
        _say(f"  signing secret (shown once; give it to the receiver): {created.signing_secret}")
        _say("  verify X-Monitor-Signature as docs/destinations.md describes")
    return created.id


def list_destinations(engine: Engine, subscription_id: int | None, *, as_json: bool) -> int:
    with transaction(engine) as conn:
        rows = ledger.list_destinations(conn, subscription_id=subscription_id)
        counts = {row.id: _counts(ledger.messages_of(conn, row.id)) for row in rows}
    if as_json:
        print(
            orjson.dumps(
                [
                    {
                        "id": row.id,
                        "subscription_id": row.subscription_id,
                        "kind": row.kind,
                        "target": row.target_hint,
                        "enabled": row.enabled,
                        "disabled_reason": row.disabled_reason,
                        "messages": counts[row.id],
                    }
                    for row in rows
                ],
                option=orjson.OPT_INDENT_2,
            ).decode()
        )
        return 0
    if not rows:
        _say("no destinations")
    for row in rows:
        state = "enabled" if row.enabled else f"disabled: {row.disabled_reason}"
        tally = ", ".join(f"{n} {status}" for status, n in sorted(counts[row.id].items())) or "none"
        _say(
            f"{row.id}  subscription {row.subscription_id}  {row.kind:<8} {row.target_hint}  "
            f"{state}  (messages: {tally})"
        )
    return 0


def _counts(rows: list[object]) -> dict[str, int]:
    out: dict[str, int] = {}
    for row in rows:
        status = str(row.status)  # type: ignore[attr-defined]
        out[status] = out.get(status, 0) + 1
    return out


def remove_destination(engine: Engine, destination_id: int) -> int:
    with transaction(engine) as conn:
        if not ledger.remove_destination(conn, destination_id):
            raise InputError(_missing(destination_id))
    _say(f"destination {destination_id} removed, with its queued messages")
    return 0


def enable_destination(engine: Engine, destination_id: int) -> int:
    with transaction(engine) as conn:
        if not ledger.set_enabled(conn, destination_id, enabled=True, reason=None, now=datetime.now(UTC)):
            raise InputError(_missing(destination_id))
    _say(f"destination {destination_id} enabled; its waiting messages go out on the next pass")
    return 0


def rotate_key(settings: Settings, engine: Engine) -> int:
    """Re-encrypt every destination under the first key of MONITOR_DESTINATION_SECRET, in
    one transaction; if any cannot be opened by any key, nothing is written."""
    cipher = DestinationCipher(settings.destination_keys())
    with transaction(engine) as conn:
        plan = reseal_all(cipher, ledger.sealed_secrets(conn))
        if plan.unreadable:
            ids = ", ".join(str(i) for i in plan.unreadable)
            raise InputError(
                f"destination(s) {ids} cannot be decrypted with any key in "
                "MONITOR_DESTINATION_SECRET; nothing was re-encrypted. Add the key they were "
                "sealed with after the first one (comma-separated) and run again, or remove "
                "those destinations"
            )
        for destination_id, (target, secret) in plan.values.items():
            ledger.reseal_destination(conn, destination_id, target=target, signing_secret=secret)
    _say(f"re-encrypted {len(plan.values)} destination(s) with the first destination key")
    if len(settings.destination_keys()) > 1:
        _say(
            "  the other keys are no longer needed: drop them from MONITOR_DESTINATION_SECRET "
            "and restart the roles"
        )
    return 0


def _missing(destination_id: int) -> str:
    return f"no destination {destination_id}; `monitor subscriber destination list` shows the ids"


async def send_trial(settings: Settings, engine: Engine, destination_id: int) -> Outcome:
    """Post a test message to one destination now; disable it on a permanent refusal."""
    with transaction(engine) as conn:
        row = ledger.get_destination(conn, destination_id)
        subscription = row and subscriber_store.get_subscription(conn, row.subscription_id)
        person = subscription and subscriber_store.get_subscriber(conn, subscription.subscriber_id)
    if row is None:
        raise InputError(_missing(destination_id))
    cipher = DestinationCipher(settings.destination_keys())
    target = dispatcher.target_of(settings, cipher, row.kind, row.target, row.signing_secret)
    now = datetime.now(UTC)
    message = trial_message(
        subscription=subscription.name if subscription else "",
        now=now,
        language=person.language if person else "en",
    )
    request = format_request(
        message, target, delivery_id=f"test-{secrets.token_hex(8)}", timestamp=int(now.timestamp())
    )
    async with dispatcher.make_session(settings) as session:
        outcome = await dispatcher.deliver_request(
            session,
            request,
            dispatcher.address_policy(settings),
            HostLimiter(1, 0.0),
            attempts=1,
            max_attempts=1,
        )
    assert outcome is not None  # no deadline given
    reason = dispatcher.scrub(outcome.reason, target, row.target_hint)
    if outcome.disable:
        with transaction(engine) as conn:
            ledger.set_enabled(conn, destination_id, enabled=False, reason=reason, now=datetime.now(UTC))
    return Outcome(outcome.kind, reason, outcome.retry_at, outcome.disable)


def try_destination(settings: Settings, engine: Engine, destination_id: int) -> int:
    outcome = asyncio.run(send_trial(settings, engine, destination_id))
    if outcome.kind == "sent":
        _say(f"destination {destination_id}: test message delivered ({outcome.reason})")
        return 0
    _say(f"destination {destination_id}: test message NOT delivered: {outcome.reason}")
    if outcome.disable:
        _say("  the destination is now disabled; fix it, then `monitor subscriber destination enable`")
    return 1


def dispatch(settings: Settings, action: str, **values: object) -> int:
    """The CLI's edge: one typed call per action."""
    with checked_database(settings) as engine:
        if action == "add":
            new = values["new"]
            assert isinstance(new, NewDestination)
            add_destination(settings, engine, new)
            return 0
        if action == "rotate-key":
            return rotate_key(settings, engine)
        if action == "list":
            subscription = values.get("subscription")
            return list_destinations(
                engine,
                subscription if isinstance(subscription, int) else None,
                as_json=bool(values.get("as_json")),
            )
        destination_id = values["destination_id"]
        assert isinstance(destination_id, int)
        if action == "remove":
            return remove_destination(engine, destination_id)
        if action == "enable":
            return enable_destination(engine, destination_id)
        return try_destination(settings, engine, destination_id)
