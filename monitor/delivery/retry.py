"""Retry what failed for good: emails and channel messages, made due again as they are.

A retried item keeps its row, so the email keeps its dedup key and Message-ID and the
channel message its ``delivery_id`` (the receivers' Idempotency-Key); the mailer and the
dispatcher then send it through their ordinary claim, once (``outbox.requeue_failed_emails``,
``channel_ledger.requeue_failed_messages``). ``monitor subscriber retry`` and the
operations page both call :func:`retry_failed`; :func:`retry_refusal` decides what may be
retried.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from monitor.logs import get_logger
from monitor.store import channel_ledger, outbox
from monitor.store.db import transaction
from monitor.store.failed_deliveries import EMAIL, MESSAGE, FailedDelivery, failed_items

log = get_logger(__name__)

# Kinds that are worth sending late. A confirmation or sign-in email carries a link that
# may have expired (the confirmation is resent instead; a sign-in is asked for again), and
# a test message is sent again by testing again.
RETRIED_KINDS = frozenset({"alert", "update", "digest", "volume"})
# Items one retry takes (a page shows far fewer; the CLI names them one by one).
MAX_RETRY = 500
_REF = re.compile(rf"({EMAIL}|{MESSAGE}):([0-9]{{1,18}})")

# Why an item is not retried (the CLI's words; the page's are in the catalogs, ops.retry_*).
REFUSALS = {
    "not_failed": "not failed now (sent, retried already, or gone)",
    "kind": "not retried: its link may have expired; send a fresh one instead",
    "gone": "its subscriber is gone",
    "inactive": "its subscriber is not active (paused, bouncing or unsubscribed)",
    "unconfirmed": "its subscriber has not confirmed",
}


@dataclass(frozen=True, slots=True, order=True)
class Ref:
    """An item of the failed list: ``email:12`` or ``message:34``."""

    source: str
    id: int

    def __str__(self) -> str:
        return f"{self.source}:{self.id}"


def parse_refs(values: Iterable[str]) -> tuple[list[Ref], list[str]]:
    """The items named (each once, in order) and the values that name none."""
    refs: list[Ref] = []
    bad: list[str] = []
    for value in values:
        match = _REF.fullmatch(value.strip())
        if match is None:
            bad.append(value)
            continue
        ref = Ref(match[1], int(match[2]))
        if ref not in refs:
            refs.append(ref)
    return refs, bad


def retry_refusal(item: FailedDelivery) -> str | None:
    """Why ``item`` must not be sent again (a key of ``REFUSALS``), or None."""
    if item.kind not in RETRIED_KINDS:
        return "kind"
    if item.subscriber_status is None:
        return "gone"
    if item.subscriber_status != "active":
        return "inactive"
    if not item.subscriber_confirmed:
        return "unconfirmed"
    return None


@dataclass(frozen=True, slots=True)
class RetryReport:
    """What a retry did: items requeued, those waiting for a disabled destination (also
    requeued), and those refused with why (a key of ``REFUSALS``)."""

    requeued: tuple[Ref, ...] = ()
    waiting: tuple[Ref, ...] = ()
    refused: tuple[tuple[Ref, str], ...] = field(default=())


def retry_failed(engine: Engine, refs: Sequence[Ref], *, by: str, now: datetime) -> RetryReport:
    """Requeue the failed items ``refs`` names that may be retried, in one transaction,
    and record who did (``by``: the operator's address, or the command line)."""
    if len(refs) > MAX_RETRY:
        raise ValueError(f"at most {MAX_RETRY} items at a time")
    emails_asked = [r.id for r in refs if r.source == EMAIL]
    messages_asked = [r.id for r in refs if r.source == MESSAGE]
    with transaction(engine) as conn:
        found = {
            Ref(item.source, item.id): item
            for item in failed_items(conn, emails_asked, messages_asked)
        }
        refused: list[tuple[Ref, str]] = []
        chosen: list[Ref] = []
        for ref in refs:
            item = found.get(ref)
            why = "not_failed" if item is None else retry_refusal(item)
            if why is None:
                chosen.append(ref)
            else:
                refused.append((ref, why))
        done_emails = outbox.requeue_failed_emails(
            conn, [r.id for r in chosen if r.source == EMAIL], now=now
        )
        done_messages = channel_ledger.requeue_failed_messages(
            conn, [r.id for r in chosen if r.source == MESSAGE], now=now
        )
    requeued = [Ref(EMAIL, i) for i in done_emails] + [Ref(MESSAGE, i) for i in done_messages]
    # Between the read and the update another retry may have taken an item.
    refused += [(r, "not_failed") for r in chosen if r not in requeued]
    waiting = [r for r in requeued if not found[r].destination_enabled]
    report = RetryReport(tuple(requeued), tuple(waiting), tuple(sorted(refused)))
    log.info(
        "audit.deliveries_retried",
        by=by,
        requeued=[str(r) for r in report.requeued],
        waiting=[str(r) for r in report.waiting],
        refused={str(r): why for r, why in report.refused},
    )
    return report
