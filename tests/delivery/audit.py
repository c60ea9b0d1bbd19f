"""What the receivers got against what the channel ledger says: lost, repeated, and how.

Shared by the dispatcher kill test and the channel chaos test. A copy is identified by
what the receiver saw (its path and body bytes), independently of the id headers, so the
audit can check that every repeat carries the same ``X-Monitor-Delivery`` and
``Idempotency-Key`` rather than assume it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from tests.delivery.receivers import Received


@dataclass
class ChannelAudit:
    """One channel's figures. ``window``: accepted repeats (each explained by a claimed
    attempt); ``outside``: posts no claimed attempt accounts for (must be 0)."""

    messages: int = 0
    posts: int = 0
    accepted: int = 0
    lost: int = 0
    window: int = 0
    outside: int = 0
    repeat_ids: set[str] = field(default_factory=set)  # delivery ids of accepted repeats
    problems: list[str] = field(default_factory=list)

    def row(self) -> str:
        return f"{self.messages} / {self.accepted} / {self.lost} / {self.window} / {self.outside}"


ROW_TITLE = "messages / accepted copies / lost / window repeats (same id) / outside window"


def _ids(received: Received) -> set[str]:
    """Every id a copy carries: the header every channel has, and the webhook's own."""
    ids = {received.headers.get("X-Monitor-Delivery", "")}
    if "Idempotency-Key" in received.headers:
        ids.add(received.headers["Idempotency-Key"])
    return ids


def audit_channels(
    rows: list[Any], channel_of: dict[int, str], received: list[Received]
) -> dict[str, ChannelAudit]:
    """``rows``: channel_messages rows; ``channel_of``: destination id → channel name;
    ``received``: every request the receivers recorded (with what they answered)."""
    audits: dict[str, ChannelAudit] = defaultdict(ChannelAudit)
    row_by_id = {row.delivery_id: row for row in rows}
    posts: dict[str, int] = defaultdict(int)
    copies: dict[tuple[str, bytes], list[Received]] = defaultdict(list)
    for request in received:
        for delivery_id in _ids(request):
            posts[delivery_id] += 1
        if 200 <= request.status < 300:
            copies[(request.path, request.body)].append(request)
    accepted_ids: dict[str, int] = defaultdict(int)
    for (path, _), same in copies.items():
        ids = set().union(*(_ids(r) for r in same))
        first = min(ids)
        row = row_by_id.get(first)
        audit = audits[channel_of[row.destination_id]] if row is not None else audits[path]
        if len(ids) != 1:
            audit.problems.append(f"copies of one body at {path} carry ids {sorted(ids)}")
        if row is None:
            audit.problems.append(f"{path} accepted id {first}, which the ledger never queued")
            continue
        accepted_ids[first] += 1
        audit.accepted += len(same)
        audit.window += len(same) - 1
        if len(same) > 1:
            audit.repeat_ids.add(first)
    for row in rows:
        audit = audits[channel_of[row.destination_id]]
        audit.messages += 1
        audit.posts += posts[row.delivery_id]
        audit.lost += row.delivery_id not in accepted_ids
        audit.outside += max(0, posts[row.delivery_id] - row.attempts)
        if accepted_ids[row.delivery_id] > 1:
            audit.problems.append(f"delivery {row.delivery_id} was accepted with two bodies")
    return dict(audits)
