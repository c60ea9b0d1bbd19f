"""Which subscribers a mailer process owns, when several share the delivery ledger.

Daily caps, quiet-hour bundles and digests are decided per subscriber from everything due
for them, so one subscriber's round must never be split between two processes: each of N
mailer processes owns the subscribers with ``subscriber_id % N == index``, for assembly and
for claims alike (``MONITOR_MAILER_PROCESSES``). The claims' lease still guards each email
if two processes ever own the same partition (two hosts, or a restart with another N).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, true


@dataclass(frozen=True, slots=True)
class Partition:
    """Partition ``index`` of ``count`` (0-based); ``Partition()`` owns every subscriber."""

    index: int = 0
    count: int = 1

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"partition {self.index} of {self.count}: expected 0 <= index < count")

    def owns(self, subscriber_id: int) -> bool:
        return subscriber_id % self.count == self.index

    def clause(self, subscriber_id: Any) -> ColumnElement[bool]:
        """The SQL condition for rows of owned subscribers (``subscriber_id``: a column)."""
        if self.count == 1:
            return true()
        return cast(ColumnElement[bool], (subscriber_id % self.count) == self.index)

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.count}"


EVERY_SUBSCRIBER = Partition()
