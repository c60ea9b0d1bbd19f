"""A topic definition: gazetteer, cue words, weights and thresholds, loaded from TOML.

Everything the classifier knows about "Ukraine–Latin America diplomacy" lives in
``seeds/topics/ukraine-latam.toml``; this module only reads and validates such a file and
compiles its terms once into a :class:`~monitor.matching.scanner.TermScanner`. A second
topic is a second TOML file, not new code. See the header of the seed file for the format.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.errors import ConfigError
from monitor.matching.precedence import PrecedenceRule
from monitor.matching.scanner import IGNORE_LAYER, GroupSpotter, TermScanner, TermSpec
from monitor.matching.text import fold
from monitor.models import CATEGORIES

UKRAINE = "ukraine"
RUSSIA = "russia"
LATAM = "latam"
WAR = "war"
CUE = "cue"
NEGATIVE = "negative"
STATE_NOUN = "state"
VENUE = "venue"
NEUTRAL = "neutral"
UNLESS = "unless"
# Named initiatives of the war's diplomacy (the Peace Summit, Ramstein, Grain from
# Ukraine…): they count as Ukraine's side and tie a story to the war.
INITIATIVE = "initiative"
# Signals only feed the category precedence rules (``precedence.py``).
SIGNAL = "signal"
# The groups the gate rule reads (``features.gates_can_open``), spotted before a full scan.
GATE_GROUPS = frozenset({LATAM, UKRAINE, RUSSIA, WAR, INITIATIVE})

RELEVANCE_WEIGHTS = (
    "side_in_title",
    "latam_in_title",
    "side_in_text",
    "latam_in_text",
    "same_sentence",
    "repeated_side",
    "diplomatic_act",
)
SIDE_KINDS = ("name", "leader", "place", "institution", "event", INITIATIVE)
# Kinds a topic file may leave out of relevance.side_strength, with their default strength.
OPTIONAL_SIDE_KINDS = {"event": 0.8, INITIATIVE: 1.0}
COUNTRY_KINDS = ("name", "leader", "government", "capital", "city", "demonym")
ACTOR_KINDS = (*COUNTRY_KINDS, "bloc", "region", "demonym_near_state_noun")


@dataclass(frozen=True, slots=True)
class RelevanceModel:
    """How features add up to a relevance score (a logistic over a weighted sum)."""

    threshold: float
    bias: float
    weights: Mapping[str, float]
    side_strength: Mapping[str, float]
    actor_strength: Mapping[str, float]
    act_saturation: float
    repeated_side_min: int
    lede_factor: float = 0.0
    adjacent_factor: float = 0.0


@dataclass(frozen=True, slots=True)
class CategoryModel:
    """How cue scores pick a category."""

    title_factor: float
    minimum: float
    fallback: str
    venue_category: str | None = None


@dataclass(frozen=True, slots=True)
class ContextModel:
    """Character windows and word lists for the context rules (state nouns, venues…)."""

    state_noun_window: int
    venue_window: int
    dateline_chars: int
    place_prepositions: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Topic:
    """A compiled topic: pure data plus the scanners built from it."""

    topic_id: str
    name: str
    languages: tuple[str, ...]
    relevance: RelevanceModel
    categories: CategoryModel
    context: ContextModel
    scanner: TermScanner
    gate_spotter: GroupSpotter  # a cheap early "no" for the worker's lean classification
    country_names: Mapping[str, str]
    precedence: tuple[PrecedenceRule, ...] = ()
    # Precedence signals, scanned only for relevant stories (most of the stream is not).
    signal_scanner: TermScanner | None = None


def load_topic(path: str | Path) -> Topic:
    """Read and compile a topic file. Raises ConfigError naming the file and the problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"topic {path}: cannot read: {exc}") from exc
    try:
        return build_topic(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"topic {path}: {exc}") from exc


def build_topic(data: Mapping[str, Any]) -> Topic:
    """Compile a topic from already-parsed TOML data (used by tests and ``load_topic``)."""
    meta = data["topic"]
    specs: list[TermSpec] = []
    specs += _terms(data.get("ignore", {}).get("terms", []), "ignore", "", "ignore", IGNORE_LAYER)
    specs += _kind_lists(data.get(UKRAINE, {}), UKRAINE, "UA", SIDE_KINDS)
    specs += _kind_lists(data.get(RUSSIA, {}), RUSSIA, "RU", SIDE_KINDS)
    specs += _terms(data.get("war_link", {}).get("terms", []), WAR, "", "war", WAR)
    latam = data.get(LATAM, {})
    specs += _terms(latam.get("region", []), LATAM, "", "region", "entity")
    specs += _terms(latam.get("bloc", []), LATAM, "", "bloc", "entity")
    country_names: dict[str, str] = {}
    for code, country in latam.get("countries", {}).items():
        if len(code) != 2 or not code.isupper():
            raise ValueError(f"latam.countries.{code}: expected an ISO 3166-1 alpha-2 code")
        country_names[code] = str(country.get("label", code))
        fields = {k: v for k, v in country.items() if k != "label"}
        specs += _kind_lists(fields, LATAM, code, COUNTRY_KINDS)
    context = data.get("context", {})
    specs += _terms(context.get("state_nouns", []), STATE_NOUN, "", "state", "context")
    specs += _terms(context.get("venue_before", []), VENUE, "", "venue", "context")
    # Neutral phrases only mask the cue words inside them ("calls for" is not a call).
    specs += _terms(data.get(NEUTRAL, {}).get("terms", []), NEUTRAL, "", "neutral", CUE, 0.0)
    category_data = data.get("categories", {})
    for category in CATEGORIES:
        for group in category_data.get(category, {}).get("cues", []):
            weight = float(group["weight"])
            specs += _terms(group["terms"], CUE, category, "cue", CUE, weight)
    settings = {"title_factor", "minimum", "fallback", "venue_category"}
    unknown = set(category_data) - set(CATEGORIES) - settings
    if unknown:
        raise ValueError(f"unknown categories: {sorted(unknown)}; expected {CATEGORIES}")
    specs += _initiatives(data.get("initiatives", []))
    signal_names = {str(s.label) for s in specs if s.group == SIGNAL}
    for name, terms in data.get("signals", {}).items():
        specs += _terms(terms, SIGNAL, str(name), "signal", SIGNAL)
        signal_names.add(str(name))
    for negative in data.get("negatives", []):
        weight = float(negative["weight"])
        if weight > 0:
            raise ValueError(f"negative cue {negative['name']!r} must have a weight <= 0")
        name = str(negative["name"])
        specs += _terms(negative["terms"], NEGATIVE, name, "cue", CUE, weight)
        specs += _terms(negative.get("unless", []), UNLESS, name, "unless", UNLESS)
    return Topic(
        topic_id=str(meta["id"]),
        name=str(meta["name"]),
        languages=tuple(meta.get("languages", ("en", "es", "pt"))),
        relevance=_relevance(data["relevance"]),
        categories=_categories(category_data),
        context=ContextModel(
            state_noun_window=int(context.get("state_noun_window", 25)),
            venue_window=int(context.get("venue_window", 6)),
            dateline_chars=int(context.get("dateline_chars", 60)),
            place_prepositions=frozenset(
                fold(str(word)).strip() for word in context.get("place_prepositions", [])
            ),
        ),
        scanner=TermScanner([spec for spec in specs if spec.group != SIGNAL]),
        gate_spotter=GroupSpotter(specs, GATE_GROUPS),
        signal_scanner=TermScanner([spec for spec in specs if spec.group == SIGNAL]),
        country_names=country_names,
        precedence=tuple(_precedence(rule, signal_names) for rule in data.get("precedence", [])),
    )


def _initiatives(entries: Any) -> list[TermSpec]:
    """Each named initiative is Ukraine-side evidence, a cue for its category and, when
    it names ``signals``, evidence for the precedence rules."""
    specs: list[TermSpec] = []
    for entry in entries:
        name = str(entry["name"])
        category = str(entry["category"])
        if category not in CATEGORIES:
            raise ValueError(f"initiative {name!r}: category {category!r} not in {CATEGORIES}")
        terms = entry["terms"]
        specs += _terms(terms, INITIATIVE, name, INITIATIVE, "entity")
        specs += _terms(terms, CUE, category, "cue", CUE, float(entry.get("weight", 3.0)))
        for signal in entry.get("signals", []):
            specs += _terms(terms, SIGNAL, str(signal), "signal", SIGNAL)
    return specs


def _precedence(data: Mapping[str, Any], signal_names: set[str]) -> PrecedenceRule:
    name = str(data["name"])
    category = str(data["category"])
    if category not in CATEGORIES:
        raise ValueError(f"precedence rule {name!r}: category {category!r} not in {CATEGORIES}")
    when = frozenset(str(s) for s in data["when"])
    unless = frozenset(str(s) for s in data.get("unless", []))
    over = frozenset(str(c) for c in data.get("over", []))
    unknown = (when | unless) - signal_names
    if unknown or not when:
        raise ValueError(
            f"precedence rule {name!r}: unknown signals {sorted(unknown)} (or empty 'when'); "
            f"declare them under [signals]"
        )
    if over - set(CATEGORIES):
        raise ValueError(f"precedence rule {name!r}: 'over' names unknown categories")
    return PrecedenceRule(name, category, when, unless, over)


def _relevance(data: Mapping[str, Any]) -> RelevanceModel:
    weights = _floats(data["weights"], RELEVANCE_WEIGHTS, "relevance.weights")
    side = _floats(
        data["side_strength"], SIDE_KINDS, "relevance.side_strength", OPTIONAL_SIDE_KINDS
    )
    actor = _floats(data["actor_strength"], ACTOR_KINDS, "relevance.actor_strength")
    threshold = float(data["threshold"])
    if not 0.0 < threshold < 1.0:
        raise ValueError("relevance.threshold must be between 0 and 1")
    return RelevanceModel(
        threshold=threshold,
        bias=float(data["bias"]),
        weights=weights,
        side_strength=side,
        actor_strength=actor,
        act_saturation=float(data.get("act_saturation", 3.0)),
        repeated_side_min=int(data.get("repeated_side_min", 2)),
        lede_factor=_fraction(data, "lede_factor"),
        adjacent_factor=_fraction(data, "adjacent_factor"),
    )


def _fraction(data: Mapping[str, Any], name: str) -> float:
    value = float(data.get(name, 0.0))
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"relevance.{name} must be between 0 and 1")
    return value


def _categories(data: Mapping[str, Any]) -> CategoryModel:
    fallback = str(data.get("fallback", "other"))
    if fallback not in CATEGORIES:
        raise ValueError(f"categories.fallback {fallback!r} is not one of {CATEGORIES}")
    venue_category = data.get("venue_category")
    if venue_category is not None and venue_category not in CATEGORIES:
        raise ValueError(f"categories.venue_category {venue_category!r} is not one of {CATEGORIES}")
    return CategoryModel(
        title_factor=float(data.get("title_factor", 2.0)),
        minimum=float(data.get("minimum", 1.0)),
        fallback=fallback,
        venue_category=None if venue_category is None else str(venue_category),
    )


def _floats(
    data: Mapping[str, Any],
    names: tuple[str, ...],
    where: str,
    optional: Mapping[str, float] | None = None,
) -> dict[str, float]:
    defaults = optional or {}
    missing = [n for n in names if n not in data and n not in defaults]
    unknown = [n for n in data if n not in names]
    if missing or unknown:
        raise ValueError(f"{where}: missing {missing}, unknown {unknown}")
    return {name: float(data.get(name, defaults.get(name, 0.0))) for name in names}


def _kind_lists(
    data: Mapping[str, Any], group: str, label: str, kinds: tuple[str, ...]
) -> list[TermSpec]:
    specs: list[TermSpec] = []
    for kind, terms in data.items():
        if kind not in kinds:
            raise ValueError(f"{group}.{label}: unknown kind {kind!r}; expected one of {kinds}")
        specs += _terms(terms, group, label, kind, "entity")
    return specs


def _terms(
    terms: Any, group: str, label: str, kind: str, layer: str, weight: float = 1.0
) -> list[TermSpec]:
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise TypeError(f"{group}.{label or kind}: terms must be a list of strings")
    return [TermSpec(group, label, kind, layer, term, weight) for term in terms]
