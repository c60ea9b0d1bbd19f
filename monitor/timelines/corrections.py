"""Analyst corrections (JSON Lines) applied to a labeled set before it is scored.

One correction a line, about one country in one story::

    {"story": "e030", "country": "MX", "kind": "arms-security", "value": null}
        adds (or re-values) an entry
    {"story": "e030", "country": "MX", "kind": "meeting", "remove": true}
        removes an entry
    {"story": "e064", "country": "BR", "kind": "peace-plan", "replaces": "meeting"}
        corrects the kind: removes the ``replaces`` entry, adds this one
    {"story": "h025", "country": "BR", "stance": "neutral"}     sets the stance
    {"story": "h025", "country": "BR", "stance": null}          removes it

Later lines win. Corrections live in a file for now; keeping them in the database comes
with the web workspace.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from monitor.errors import InputFileError
from monitor.timelines.gold import EntryKey, GoldStory, entry_key
from monitor.timelines.model import STANCES


@dataclass(frozen=True, slots=True)
class Correction:
    """One analyst's correction; ``stance`` is set only for a stance correction."""

    story_id: str
    country: str
    add: EntryKey | None = None
    remove: tuple[str, str] | None = None  # country, kind
    stance: str | None = None
    is_stance: bool = False


def read_corrections(lines: Iterable[str], name: str) -> list[Correction]:
    """Parse a corrections file; a bad line raises InputFileError naming it."""
    found: list[Correction] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            found.append(_correction(json.loads(line)))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputFileError(
                f"{name} line {number}: {exc}; a correction is a JSON object with story, "
                "country and either kind (value, remove, replaces) or stance "
                "(docs/timelines.md)"
            ) from exc
    return found


def _correction(data: Mapping[str, Any]) -> Correction:
    story, country = str(data["story"]), str(data["country"])
    if "stance" in data:
        stance = data["stance"]
        if stance is not None and stance not in STANCES:
            raise ValueError(f"unknown stance {stance!r}; expected one of {list(STANCES)} or null")
        return Correction(story, country, stance=stance, is_stance=True)
    key = entry_key(data)
    if data.get("remove"):
        return Correction(story, country, remove=(country, key[1]))
    replaces = data.get("replaces")
    removed = None if replaces is None else (country, str(replaces))
    return Correction(story, country, add=key, remove=removed)


def apply_corrections(
    gold: Sequence[GoldStory], corrections: Sequence[Correction]
) -> list[GoldStory]:
    """The gold with every correction applied; a correction of an unknown story is an error."""
    by_id = {story.story_id: story for story in gold}
    for correction in corrections:
        story = by_id.get(correction.story_id)
        if story is None:
            raise InputFileError(
                f"correction for story {correction.story_id!r}: no such story in the gold file"
            )
        by_id[story.story_id] = _apply(story, correction)
    return [by_id[story.story_id] for story in gold]


def _apply(story: GoldStory, correction: Correction) -> GoldStory:
    if correction.is_stance:
        stances = dict(story.stances)
        stances.pop(correction.country, None)
        if correction.stance is not None:
            stances[correction.country] = correction.stance
        return replace(story, stances=stances)
    entries = set(story.entries)
    drop = set()
    if correction.remove is not None:
        drop.add(correction.remove)
    if correction.add is not None:
        drop.add(correction.add[:2])
    entries = {e for e in entries if e[:2] not in drop}
    if correction.add is not None:
        entries.add(correction.add)
    return replace(story, entries=frozenset(entries))
