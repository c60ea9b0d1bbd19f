"""Read a labeled timeline set (JSON Lines): one story with its expected entries.

Each line: ``id``, ``title``, ``text``, optional ``date``, ``lang`` and ``split``
(``dev``/``test``), ``entries`` (``country``, ``kind``, ``value`` or null) and
``stances`` (``{country: stance}``); optional ``countries``: the only countries labeled
(an analyst's review covers the country they corrected), so the extractor's rows for others
are not scored. See docs/timelines.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from monitor.errors import InputFileError
from monitor.timelines.model import KINDS, PEACE_VALUES, STANCES, VOTE_VALUES

EntryKey = tuple[str, str, str | None]  # country, kind, value


@dataclass(frozen=True, slots=True)
class GoldStory:
    """One labeled story: its text and what the timeline should take from it."""

    story_id: str
    title: str
    text: str
    date: str | None
    lang: str | None
    split: str
    entries: frozenset[EntryKey]
    stances: Mapping[str, str]
    countries: frozenset[str] | None = None  # None: every country is labeled


def read_gold(lines: Iterable[str], name: str) -> list[GoldStory]:
    """Parse a gold file; a bad line raises InputFileError naming ``name`` and the line."""
    stories: list[GoldStory] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            story = _story(json.loads(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise InputFileError(
                f"{name} line {number}: {exc}; each line is a JSON object with id, title, "
                "text, entries [{country, kind, value}] and stances {country: stance}"
            ) from exc
        if story.story_id in seen:
            raise InputFileError(f"{name} line {number}: story {story.story_id!r} twice")
        seen.add(story.story_id)
        stories.append(story)
    return stories


def _story(data: Mapping[str, Any]) -> GoldStory:
    entries = frozenset(entry_key(e) for e in data.get("entries", []))
    stances = {str(c): str(s) for c, s in data.get("stances", {}).items()}
    bad = sorted(s for s in stances.values() if s not in STANCES)
    if bad:
        raise ValueError(f"unknown stances {bad}; expected one of {list(STANCES)}")
    return GoldStory(
        story_id=str(data["id"]),
        title=str(data["title"]),
        text=str(data.get("text") or ""),
        date=data.get("date"),
        lang=data.get("lang"),
        split=str(data.get("split", "dev")),
        entries=entries,
        stances=stances,
        countries=frozenset(map(str, data["countries"])) if "countries" in data else None,
    )


def entry_key(data: Mapping[str, Any]) -> EntryKey:
    """A checked (country, kind, value) from a gold or correction object."""
    kind = str(data["kind"])
    value = data.get("value")
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {list(KINDS)}")
    allowed = (
        VOTE_VALUES if kind.endswith("-vote") else PEACE_VALUES if kind == "peace-plan" else ()
    )
    if value is not None and value not in allowed:
        raise ValueError(f"kind {kind!r} takes no value {value!r} (allowed: {list(allowed)})")
    return (str(data["country"]), kind, None if value is None else str(value))
