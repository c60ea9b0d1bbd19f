"""`monitor subscriber delete ADDRESS`: forget a person (right to erasure).

Deletes the subscriber with their subscriptions, deliveries, emails and send attempts in one
transaction, then the outbox ``.eml`` copies of their emails: the files named by their
emails' Message-IDs and any other file in the outbox addressed to them. What remains is
anonymous: stories and alerts, and counters (Prometheus, log lines with a subscriber id).
"""

from __future__ import annotations

import email.parser
import email.policy
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from monitor.config import Settings
from monitor.errors import InputError, Problem
from monitor.logs import get_logger
from monitor.notify.transport import OutboxDirTransport
from monitor.store import subscribers as store
from monitor.store.db import transaction

log = get_logger(__name__)

_HEADER_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Forgotten:
    subscriber_id: int
    erased: store.Erased
    files: int


def forget_subscriber(settings: Settings, engine: Engine, key: int | str) -> Forgotten:
    """Erase the subscriber with id or address ``key``; InputError if there is none."""
    with transaction(engine) as conn:
        person = store.get_subscriber(conn, key)
        if person is None:
            what = f"id {key}" if isinstance(key, int) else f"address {key!r}"
            raise InputError(
                f"no subscriber with {what}",
                [Problem("subscriber", "see `monitor subscriber list`")],
            )
        erased = store.erase_subscriber(conn, person.id)
    files = _remove_outbox_copies(settings.outbox_path, person.email, erased.message_ids)
    # The address is not logged: this line must not become the record it erased.
    log.info(
        "subscriber.erased",
        subscriber_id=person.id,
        subscriptions=erased.subscriptions,
        deliveries=erased.deliveries,
        emails=erased.emails,
        files=files,
    )
    return Forgotten(person.id, erased, files)


def _remove_outbox_copies(directory: Path, address: str, message_ids: tuple[str, ...]) -> int:
    if not directory.is_dir():
        return 0
    outbox = OutboxDirTransport(directory)
    doomed = {outbox.path_for(message_id) for message_id in message_ids}
    doomed.update(path for path in directory.glob("*.eml") if _addressed_to(path, address))
    removed = 0
    for path in doomed:
        try:
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    return removed


def _addressed_to(path: Path, address: str) -> bool:
    """True when the file's To or Cc header names ``address`` (case-insensitive)."""
    try:
        with path.open("rb") as fp:
            head = fp.read(_HEADER_BYTES)
    except OSError:
        return False
    headers = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    wanted = address.casefold()
    return any(wanted in str(headers.get(name, "")).casefold() for name in ("To", "Cc"))
