"""The timeline's cue lists, read from package data and compiled into one term scanner.

The lists live in ``monitor/timelines/cues.toml``, apart from the topic file: the topic
decides relevance, these only say what a sentence reports. Each section is its own
scanner layer, so overlaps resolve within a section (``military aid`` beats ``aid``) and
never across sections (a vote word can be both the kind and the value).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Any

from monitor.errors import ConfigError
from monitor.matching.scanner import TermScanner, TermSpec
from monitor.matching.text import fold
from monitor.timelines.model import KINDS, PEACE_VALUES, STANCES, VOTE_VALUES
from monitor.timelines.precision import PrecisionFilter, load_precision

KIND = "kind"
CANCEL = "cancel"
PLACE = "place"  # a place in Ukraine or Russia: a visit when a Latin American leader is there
VENUE = "venue"
THIRD = "third"  # a third state or a bloc: a party to an act that is neither side's
VOTE = "vote"
PEACE = "peace"
STANCE = "stance"
NO_STANCE = "none"  # stance words that state no stance ("supposed neutrality")
NO_VALUE = "none"  # value words that state no position ("propuesta por Kiev")
VENUES = ("oas", "un")


@dataclass(frozen=True, slots=True)
class TimelineCues:
    """The compiled cue lists: one scanner, each term's section in ``TermSpec.group``;
    ``state_words`` (folded) make a demonym beside them the state."""

    scanner: TermScanner
    state_words: frozenset[str] = frozenset()
    precision: PrecisionFilter | None = None  # None: every candidate the rules find is kept


def load_cues(*, precision: bool = True) -> TimelineCues:
    """The packaged cue lists and, with ``precision`` (the default), the precision
    filter's weights: nested grouped cross-validation on the labeled stories put entry
    precision at 0.90 with it (0.87 without), recall 0.67 (0.78) — docs/timelines.md,
    "Measured". Raises ConfigError when the package data is broken."""
    resource = files("monitor.timelines") / "cues.toml"
    try:
        cues = build_cues(tomllib.loads(resource.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"timeline cues {resource}: {exc}; reinstall monitor") from exc
    return replace(cues, precision=load_precision()) if precision else cues


def build_cues(data: Mapping[str, Any]) -> TimelineCues:
    """Compile parsed cue lists (tests pass their own); unknown names are refused."""
    specs: list[TermSpec] = []
    specs += _section(data["kinds"], KIND, KINDS)
    specs += _section(data.get("cancel", {}), CANCEL, KINDS)
    specs += _section(data.get("places", {}), PLACE, ("visit",))
    specs += _section(data["venues"], VENUE, VENUES)
    specs += _section(data.get("third_parties", {}), THIRD, ("other",))
    values = data["values"]
    specs += _section(values["vote"], VOTE, VOTE_VALUES)
    specs += _section(values["peace"], PEACE, (*PEACE_VALUES, NO_VALUE))
    specs += _section(data["stance"], STANCE, (*STANCES, NO_STANCE))
    words = data.get("state_words", {}).get("terms", [])
    if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
        raise TypeError("[state_words] terms must be a list of strings")
    return TimelineCues(TermScanner(specs), frozenset(fold(w).strip() for w in words))


def _section(data: Mapping[str, Any], group: str, names: tuple[str, ...]) -> list[TermSpec]:
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ValueError(f"[{group}] names {unknown}; expected some of {list(names)}")
    specs: list[TermSpec] = []
    for name, terms in data.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
            raise TypeError(f"[{group}] {name}: terms must be a list of strings")
        specs += [TermSpec(group, str(name), "cue", group, term) for term in terms]
    return specs
