"""Why a thread's reports were joined, from what the store keeps. Pure.

The worker stores, per report, the rule that placed it (``story_threads.rule``) and the
facts the decision read (``story_threads.facts``); the decision's full reasons are not
stored. So a thread page says the stored rule, and what each report has in common with
the thread's other reports: the countries, people and distinctive terms of its facts that
another report also has. Those are the facts the rules compare, read as stored, not a
new decision (rules may change; what placed a report does not).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["RULES", "Shared", "shared_facts"]

# The rules that place a report (docs/threads.md): a founder, then the joining rules.
RULES = ("new", "same-leaders", "same-type", "actor-and-terms", "terms")

_FIELDS = ("countries", "people", "terms")


@dataclass(frozen=True, slots=True)
class Shared:
    """What one report has in common with at least one other report of its thread."""

    countries: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.countries or self.people or self.terms)


def _values(facts: Mapping[str, Any] | None, field: str) -> frozenset[str]:
    raw = (facts or {}).get(field)
    return frozenset(str(v) for v in raw) if isinstance(raw, list) else frozenset()


def shared_facts(facts: Sequence[Mapping[str, Any] | None]) -> list[Shared]:
    """For each report's stored facts (a thread's reports, in any order), the countries,
    people and terms it shares with another report of the list, sorted. A report alone, or
    one with no stored facts, shares nothing."""
    counts = {field: Counter(v for f in facts for v in _values(f, field)) for field in _FIELDS}
    result = []
    for f in facts:
        common = {
            field: tuple(sorted(v for v in _values(f, field) if counts[field][v] > 1))
            for field in _FIELDS
        }
        result.append(Shared(**common))
    return result
