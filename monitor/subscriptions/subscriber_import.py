"""`monitor subscriber import FILE.csv`: reading the rows, and deciding what each one does. Pure.

A row describes one subscriber and one subscription in full (an empty cell means the
default, as for ``subscriber add``). Importing is idempotent:

- the subscriber is the one with the row's address (compared case-insensitively);
- the row's subscription is the stored subscription of that subscriber that **matches the
  same stories**: the same query and the same countries, categories, languages, outlets
  (in any order and case) and minimum score, after the checks of
  ``monitor.subscriptions.preferences`` normalized them;
- if there is one, the row is ``unchanged``, or ``updated`` when its delivery settings
  (mode, digest time and weekday, quiet hours, daily cap, name) or the subscriber's name,
  time zone or language differ; otherwise the row ``created`` the subscriber and/or the
  subscription.

A re-import never resumes a paused subscription, never re-subscribes someone who
unsubscribed and never confirms an unconfirmed address. Bad rows are ``refused`` with
their line number and every problem; the good rows of the same file are imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from monitor.errors import InputError, Problem
from monitor.subscriptions.preferences import (
    Preferences,
    PreferencesInput,
    Vocabulary,
    check_preferences,
    input_from_row,
)

COLUMNS = (
    "email",
    "name",
    "time_zone",
    "language",
    "query",
    "topic",
    "countries",
    "categories",
    "languages",
    "outlets",
    "min_score",
    "mode",
    "digest_time",
    "digest_weekday",
    "quiet",
    "daily_cap",
    "volume_alerts",
)
_DEFAULTS = {
    "time_zone": "UTC",
    "language": "en",
    "mode": "immediate",
    "digest_time": "08:00",
    "digest_weekday": "0",
}
# Subscriber fields a row may leave empty: a stored subscriber keeps theirs.
SUBSCRIBER_FIELDS = frozenset({"name", "time_zone", "language"})

Outcome = Literal["created", "unchanged", "updated", "refused"]


@dataclass(frozen=True, slots=True)
class CsvRow:
    """One data row: the line it starts on, its cells as preferences input, and problems
    of its shape (found before its values are checked)."""

    line: int
    given: PreferencesInput
    problems: tuple[Problem, ...] = ()
    filled: frozenset[str] = frozenset()  # the columns with a value in this row

    @property
    def keep(self) -> frozenset[str]:
        """Subscriber fields left empty: a stored subscriber keeps theirs."""
        return SUBSCRIBER_FIELDS - self.filled


def read_subscriber_csv(text: str) -> list[CsvRow]:
    """The rows of a subscriber CSV. A header naming unknown columns (a typo would drop a
    filter silently) or lacking ``email`` refuses the whole file with ``InputError``."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise InputError(
            "the CSV file is empty; its first line names the columns",
            [Problem("header", f"columns: {','.join(COLUMNS)}")],
        )
    names = [name.strip().lower() for name in header]
    problems = [
        Problem("header", f"unknown column {name!r}; known: {', '.join(COLUMNS)}")
        for name in names
        if name not in COLUMNS
    ]
    if "email" not in names:
        problems.append(Problem("header", "no email column"))
    repeated = sorted({name for name in names if names.count(name) > 1})
    problems += [Problem("header", f"column {name!r} appears twice") for name in repeated]
    if problems:
        raise InputError("the CSV header is refused; nothing was imported", problems)
    rows: list[CsvRow] = []
    line = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            values = dict(zip(names, cells, strict=False))
            given = PreferencesInput(
                **{
                    name: values.get(name, "").strip() or _DEFAULTS.get(name, "")
                    for name in COLUMNS
                }
            )
            shape: tuple[Problem, ...] = ()
            if any(cell.strip() for cell in cells[len(names) :]):
                shape = (Problem("row", f"{len(cells)} cells but {len(names)} columns"),)
            filled = frozenset(name for name in COLUMNS if values.get(name, "").strip())
            rows.append(CsvRow(line, given, shape, filled))
        line = reader.line_num + 1
    return rows


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """What one checked row does to the store; ``outcome`` and ``detail`` are reported."""

    outcome: Outcome
    detail: str
    create_subscriber: bool = False
    subscriber_changes: tuple[tuple[str, Any], ...] = ()
    create_subscription: bool = False
    subscription_id: int | None = None  # the stored subscription the row is
    subscription_changes: tuple[tuple[str, Any], ...] = ()


def plan_import(
    wanted: Preferences,
    subscriber: Any | None,
    subscriptions: Sequence[Any],
    vocabulary: Vocabulary,
    *,
    keep: frozenset[str] = frozenset(),
) -> ImportPlan:
    """What a checked row does, given the stored subscriber with its address (a
    ``SubscriberRow`` or None) and that subscriber's ``SubscriptionRow``s. ``keep`` names
    the fields the row left empty that a stored subscriber keeps (``name``, ``time_zone``,
    ``language``)."""
    if subscriber is None:
        return ImportPlan(
            "created", "new subscriber", create_subscriber=True, create_subscription=True
        )
    note = _standing(subscriber)
    who = (
        ("display_name", "name", wanted.name),
        ("time_zone", "time_zone", wanted.time_zone),
        ("language", "language", wanted.language),
    )
    subscriber_changes = tuple(
        (column, value)
        for column, field, value in who
        if field not in keep and getattr(subscriber, column) != value
    )
    same = _same_stories(wanted, subscriber, subscriptions, vocabulary)
    if same is None:
        return ImportPlan(
            "created",
            f"new subscription for subscriber {subscriber.id}{note}",
            subscriber_changes=subscriber_changes,
            create_subscription=True,
        )
    # The query and filters are the same stories by construction (list order may differ).
    values = {
        k: v for k, v in wanted.subscription_values().items() if k not in ("query", "filters")
    }
    if "name" not in keep:
        values["name"] = wanted.name or wanted.email
    subscription_changes = tuple(
        (key, value) for key, value in values.items() if getattr(same, key) != value
    )
    changed = list(dict.fromkeys(_label(k) for k, _ in subscriber_changes + subscription_changes))
    if not changed:
        return ImportPlan("unchanged", f"subscription {same.id}{note}", subscription_id=same.id)
    return ImportPlan(
        "updated",
        f"subscription {same.id}: {', '.join(changed)}{note}",
        subscriber_changes=subscriber_changes,
        subscription_id=same.id,
        subscription_changes=subscription_changes,
    )


def _same_stories(
    wanted: Preferences, subscriber: Any, subscriptions: Sequence[Any], vocabulary: Vocabulary
) -> Any | None:
    """The lowest-numbered stored subscription matching the same stories as ``wanted``."""
    key = wanted.match_key()
    for row in sorted(subscriptions, key=lambda s: s.id):
        stored = check_preferences(input_from_row(row, subscriber), vocabulary, advice=False)
        if isinstance(stored, Preferences) and stored.match_key() == key:
            return row
    return None


def _standing(subscriber: Any) -> str:
    if subscriber.status != "active":
        return f" (subscriber is {subscriber.status}: nothing is sent)"
    if not subscriber.confirmed:
        return " (awaiting confirmation)"
    return ""


_LABELS = {"display_name": "name", "quiet_start": "quiet", "quiet_end": "quiet", "name": "name"}


def _label(column: str) -> str:
    return _LABELS.get(column, column)
