"""Analysts' corrections of a country's timeline, checked at the door and applied (pure).

A correction names one shown row — (story, country, kind), ``stance`` for a stance — and
either removes it or gives it another kind and value (a stance another stance). The row
keeps its quote: a correction never makes an entry without the sentence it stands on, and
one the extractor missed is not added here (label it in a gold file; docs/timelines.md).
Corrections apply in the order they were made, so the latest wins. The stored ones also
become a gold file (``reviewed_gold``) that ``monitor eval timeline`` scores, so the
extractor is measured against what analysts said.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from monitor.errors import InputError, Problem
from monitor.timelines.export import TimelineRow
from monitor.timelines.gold import entry_key
from monitor.timelines.model import KINDS, STANCES

Action = Literal["set", "remove"]
STANCE = "stance"


@dataclass(frozen=True, slots=True)
class RowCorrection:
    """One analyst's change to one timeline row."""

    story_id: str
    country: str
    kind: str  # the row as shown: an entry kind or "stance"
    action: Action
    new_kind: str | None = None
    value: str | None = None


def check_correction(form: Mapping[str, str], country: str) -> RowCorrection:
    """A correction from a form (``story``, ``kind``, ``action``, ``new_kind``, ``value``),
    or InputError naming each field that is wrong."""
    problems: list[Problem] = []
    story = form.get("story", "").strip()
    if not story.isdigit():
        problems.append(Problem("story", "a story id (digits)"))
    kind = form.get("kind", "")
    if kind not in (*KINDS, STANCE):
        problems.append(Problem("kind", f"one of {', '.join((*KINDS, STANCE))}"))
    action = form.get("action", "")
    new_kind = form.get("new_kind", "").strip() or None
    value = form.get("value", "").strip() or None
    if action == "remove":
        new_kind = value = None
    elif action == "set":
        if kind == STANCE:
            new_kind = STANCE
            if value not in STANCES:
                problems.append(Problem("value", f"a stance: {', '.join(STANCES)}"))
        else:
            try:
                _, new_kind, value = entry_key(
                    {"country": country, "kind": new_kind or kind, "value": value}
                )
            except ValueError as exc:
                problems.append(Problem("value", str(exc)))
    else:
        problems.append(Problem("action", "set or remove"))
    if problems:
        raise InputError("the correction was not saved", problems)
    return RowCorrection(
        story, country, kind, "remove" if action == "remove" else "set", new_kind, value
    )


def correct_rows(
    rows: Sequence[TimelineRow], corrections: Iterable[RowCorrection]
) -> list[TimelineRow]:
    """``rows`` with the corrections applied in order; a changed row is marked
    ``corrected``; two rows that a correction makes the same (story, country, kind) keep
    the first. A correction of a row that is not shown changes nothing."""
    current = list(rows)
    for fix in corrections:
        changed: list[TimelineRow] = []
        for row in current:
            if (row.story_id, row.country, row.kind) != (fix.story_id, fix.country, fix.kind):
                changed.append(row)
            elif fix.action == "set":
                kind = fix.new_kind or row.kind
                changed.append(replace(row, kind=kind, value=fix.value, corrected=True))
        current = _first_of_each(changed)
    return current


def _first_of_each(rows: Sequence[TimelineRow]) -> list[TimelineRow]:
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for row in rows:
        key = (row.story_id, row.country, row.kind)
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept


def reviewed_gold(
    rows: Sequence[TimelineRow],
    corrections: Sequence[RowCorrection],
    texts: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """A gold file's lines (docs/timelines.md) for every story an analyst corrected: its
    text, and as gold the reviewed country's rows. ``rows`` are the timeline rows with the
    corrections already applied (``correct_rows``); ``texts`` the stored stories by id
    (``title``, ``text``, ``lang``, ``published_at``). ``countries`` limits scoring to the
    reviewed countries, since nobody looked at the others."""
    reviewed: dict[str, set[str]] = {}
    for fix in corrections:
        reviewed.setdefault(fix.story_id, set()).add(fix.country)
    lines = []
    for story_id in sorted(reviewed, key=int):
        story = texts.get(story_id)
        if story is None:
            continue
        countries = reviewed[story_id]
        mine = [r for r in rows if r.story_id == story_id and r.country in countries]
        lines.append(
            {
                "id": story_id,
                "title": story.title,
                "text": story.text,
                "date": story.published_at.date().isoformat(),
                "lang": story.lang,
                "split": "test",
                "countries": sorted(countries),
                "entries": [
                    {"country": r.country, "kind": r.kind, "value": r.value}
                    for r in mine
                    if r.kind != STANCE
                ],
                "stances": {r.country: r.value for r in mine if r.kind == STANCE and r.value},
            }
        )
    return lines
