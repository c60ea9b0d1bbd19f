"""A topic definition: gazetteer, cue words, weights and thresholds, loaded from TOML.

Everything the classifier knows about "Ukraine–Latin America diplomacy" lives in
``seeds/topics/ukraine-latam.toml``; this module only reads and validates such a file and
compiles its terms once into a :class:`~monitor.matching.scanner.TermScanner`. A second
topic is a second TOML file, not new code. See the header of the seed file for the format.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.errors import TopicFileError
from monitor.matching.precedence import PrecedenceRule
from monitor.matching.scanner import (
    IGNORE_LAYER,
    GroupSpotter,
    TermScanner,
    TermSpec,
    parse_term,
)
from monitor.matching.text import fold

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
# Groups whose meaning is fixed by the code; the sides are named by the topic file.
STRUCTURAL_GROUPS = (
    WAR,
    CUE,
    NEGATIVE,
    STATE_NOUN,
    VENUE,
    NEUTRAL,
    UNLESS,
    INITIATIVE,
    SIGNAL,
    "ignore",
)

RELEVANCE_WEIGHTS = (
    "side_in_title",
    "latam_in_title",
    "side_in_text",
    "latam_in_text",
    "same_sentence",
    "repeated_side",
    "diplomatic_act",
)
# Kinds a topic file may leave out of relevance.side_strength, with their default strength.
OPTIONAL_SIDE_KINDS = {"event": 0.8, INITIATIVE: 1.0}
COUNTRY_KINDS = ("name", "leader", "government", "capital", "city", "demonym")
ACTOR_KINDS = (*COUNTRY_KINDS, "bloc", "region", "demonym_near_state_noun")


@dataclass(frozen=True, slots=True)
class Gate:
    """Which groups must co-occur: ``[topic].sides`` names the side (e.g. ``ukraine``) and
    the actor group with its countries (``latam``); ``linked_sides`` count as the side
    only when the story is tied to the topic (names the side, an initiative or a
    ``[war_link]`` term). Russia is Ukraine's topic's linked side; Russia's own topic
    has none. Monotone: adding groups never closes a gate."""

    side: str
    actor: str
    linked: tuple[str, ...] = ()

    @property
    def groups(self) -> frozenset[str]:
        """Every group the gate rule reads (spotted before a full scan)."""
        return frozenset({self.side, self.actor, *self.linked, WAR, INITIATIVE})

    @property
    def side_groups_all(self) -> frozenset[str]:
        return frozenset({self.side, *self.linked})

    def has_link(self, groups: Collection[str]) -> bool:
        """The story is tied to the topic: it names the side, an initiative or a link term."""
        return self.side in groups or INITIATIVE in groups or WAR in groups

    def side_groups(self, groups: Collection[str]) -> tuple[str, ...]:
        """The groups that count as the side of a story naming ``groups``."""
        base = (self.side, INITIATIVE)
        return (*base, *self.linked) if self.linked and self.has_link(groups) else base

    def can_open(self, groups: Collection[str]) -> bool:
        """Both sides are named at all (necessary for the features' gates)."""
        return self.actor in groups and any(g in groups for g in self.side_groups(groups))


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
    # The topic's categories (display order) and the order that breaks ties of cue weight.
    names: tuple[str, ...] = ("other",)
    tie_order: tuple[str, ...] = ("other",)


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
    gate: Gate = Gate(UKRAINE, LATAM, (RUSSIA,))


class TopicProblem(ValueError):
    """What is wrong with a topic's data and where: ``where`` is a dotted key path
    (``relevance.weights``, ``negatives[2]``), empty when the problem is the whole file."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}" if where else reason)
        self.where = where
        self.reason = reason


def load_topic(path: str | Path) -> Topic:
    """Read and compile a topic file. Raises TopicFileError (a ConfigError) naming the
    file, the line and key where the problem is, and the problem."""
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TopicFileError(path, "", f"cannot read the file: {exc}") from exc
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        line = _decode_error_line(str(exc))
        raise TopicFileError(path, "", f"not valid TOML: {exc}", line) from exc
    try:
        return build_topic(data)
    except TopicProblem as exc:
        line = line_of(source, exc.where)
        raise TopicFileError(path, exc.where, exc.reason, line) from exc
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # A problem build_topic did not place (a bug to fix there): still one clear line.
        raise TopicFileError(path, "", str(exc)) from exc


def build_topic(data: Mapping[str, Any]) -> Topic:
    """Compile a topic from already-parsed TOML data (used by tests and ``load_topic``).
    Raises TopicProblem naming the key path of the first problem."""
    try:
        return _build_topic(data)
    except TopicProblem:
        raise
    except KeyError as exc:
        raise TopicProblem("", f"missing key {exc}") from exc


def _build_topic(data: Mapping[str, Any]) -> Topic:
    meta = _table(data, "topic", required=True)
    topic_id = _string(meta, "id", "topic")
    if not topic_id.replace("-", "").replace("_", "").isalnum():
        raise TopicProblem("topic.id", f"{topic_id!r}: use letters, digits, '-' and '_' only")
    _string(meta, "name", "topic")
    gate = _gate(meta)
    names = _category_names(_table(data, "categories"))
    specs: list[TermSpec] = []
    ignore = _table(data, "ignore")
    specs += _terms(ignore.get("terms", []), "ignore", "", "ignore", IGNORE_LAYER, where="ignore")
    for side in (gate.side, *gate.linked):
        table = _table(data, side, required=side == gate.side, why="the side in [topic].sides")
        code = str(table.get("code", ""))
        lists = {kind: terms for kind, terms in table.items() if kind != "code"}
        specs += _kind_lists(lists, side, code, None)
    war = _table(data, "war_link")
    specs += _terms(war.get("terms", []), WAR, "", "war", WAR, where="war_link.terms")
    latam = _table(data, gate.actor, required=True, why="the actors in [topic].sides")
    specs += _terms(latam.get("region", []), gate.actor, "", "region", "entity", where=gate.actor)
    specs += _terms(latam.get("bloc", []), gate.actor, "", "bloc", "entity", where=gate.actor)
    country_names: dict[str, str] = {}
    countries = _table(latam, "countries", gate.actor)
    for code in countries:
        where = f"{gate.actor}.countries.{code}"
        if len(code) != 2 or not code.isupper():
            raise TopicProblem(where, f"{code!r}: expected an ISO 3166-1 alpha-2 code")
        country = _table(countries, code, f"{gate.actor}.countries")
        country_names[code] = str(country.get("label", code))
        fields = {k: v for k, v in country.items() if k != "label"}
        specs += _kind_lists(fields, gate.actor, code, COUNTRY_KINDS, where=where)
    context = _table(data, "context")
    specs += _terms(
        context.get("state_nouns", []), STATE_NOUN, "", "state", "context", where="context"
    )
    specs += _terms(context.get("venue_before", []), VENUE, "", "venue", "context", where="context")
    # Neutral phrases only mask the cue words inside them ("calls for" is not a call).
    neutral = _table(data, NEUTRAL)
    specs += _terms(neutral.get("terms", []), NEUTRAL, "", "neutral", CUE, 0.0, where=NEUTRAL)
    category_data = _table(data, "categories")
    for category in names:
        section = _table(category_data, category, "categories")
        for i, group in enumerate(_tables(section, "cues", f"categories.{category}")):
            where = f"categories.{category}.cues[{i}]"
            weight = _number(group, "weight", where)
            specs += _terms(
                _need(group, "terms", where), CUE, category, "cue", CUE, weight, where=where
            )
    specs += _initiatives(data, names)
    signal_names = {str(s.label) for s in specs if s.group == SIGNAL}
    for name, terms in _table(data, "signals").items():
        specs += _terms(terms, SIGNAL, str(name), "signal", SIGNAL, where=f"signals.{name}")
        signal_names.add(str(name))
    for i, negative in enumerate(_tables(data, "negatives")):
        where = f"negatives[{i}]"
        name = _string(negative, "name", where)
        weight = _number(negative, "weight", where)
        if weight > 0:
            raise TopicProblem(where, f"negative cue {name!r} must have a weight <= 0")
        specs += _terms(
            _need(negative, "terms", where), NEGATIVE, name, "cue", CUE, weight, where=where
        )
        specs += _terms(
            negative.get("unless", []), UNLESS, name, "unless", UNLESS, where=f"{where}.unless"
        )
    # Every term was parsed by ``_terms``, where a bad one is named with its place.
    scanner = TermScanner([spec for spec in specs if spec.group != SIGNAL])
    signal_scanner = TermScanner([spec for spec in specs if spec.group == SIGNAL])
    used_kinds = {s.kind for s in specs if s.group in gate.side_groups_all}
    return Topic(
        topic_id=topic_id,
        name=_string(meta, "name", "topic"),
        languages=tuple(_strings(meta, "languages", "topic", ["en", "es", "pt"])),
        relevance=_relevance(_table(data, "relevance", required=True), used_kinds),
        categories=_categories(category_data, names),
        context=ContextModel(
            state_noun_window=int(_number(context, "state_noun_window", "context", 25)),
            venue_window=int(_number(context, "venue_window", "context", 6)),
            dateline_chars=int(_number(context, "dateline_chars", "context", 60)),
            place_prepositions=frozenset(
                fold(word).strip()
                for word in _strings(context, "place_prepositions", "context", [])
            ),
        ),
        scanner=scanner,
        gate_spotter=GroupSpotter(specs, gate.groups),
        signal_scanner=signal_scanner,
        country_names=country_names,
        precedence=tuple(
            _precedence(rule, signal_names, names, f"precedence[{i}]")
            for i, rule in enumerate(_tables(data, "precedence"))
        ),
        gate=gate,
    )


def _gate(meta: Mapping[str, Any]) -> Gate:
    """``[topic].sides`` (the side and the Latin American actor group), ``linked_sides``."""
    sides = _strings(meta, "sides", "topic", [UKRAINE, LATAM])
    if len(sides) != 2 or sides[0] == sides[1]:
        raise TopicProblem("topic.sides", f"expected two different groups, got {sides}")
    default_linked = [RUSSIA] if sides == [UKRAINE, LATAM] else []
    linked = tuple(_strings(meta, "linked_sides", "topic", default_linked))
    reserved = set(STRUCTURAL_GROUPS) & {*sides, *linked}
    if reserved:
        raise TopicProblem("topic.sides", f"{sorted(reserved)} are reserved group names")
    return Gate(side=sides[0], actor=sides[1], linked=linked)


def _category_names(data: Mapping[str, Any]) -> tuple[str, ...]:
    """``[categories].names``, or the category tables in file order; "other" is implied."""
    if "names" in data:
        names = _strings(data, "names", "categories")
    else:
        names = [key for key, value in data.items() if isinstance(value, Mapping)]
    if not names:
        names = ["other"]
    if len(set(names)) != len(names):
        raise TopicProblem("categories.names", f"a category is named twice: {names}")
    unknown = [k for k, v in data.items() if isinstance(v, Mapping) and k not in names]
    if unknown:
        raise TopicProblem(
            f"categories.{unknown[0]}", f"unknown categories: {unknown}; expected {names}"
        )
    return tuple(names)


def _initiatives(data: Mapping[str, Any], names: tuple[str, ...]) -> list[TermSpec]:
    """Each named initiative is side evidence, a cue for its category and, when it
    names ``signals``, evidence for the precedence rules."""
    specs: list[TermSpec] = []
    for i, entry in enumerate(_tables(data, "initiatives")):
        where = f"initiatives[{i}]"
        name = _string(entry, "name", where)
        category = _string(entry, "category", where)
        if category not in names:
            raise TopicProblem(where, f"initiative {name!r}: category {category!r} not in {names}")
        terms = _need(entry, "terms", where)
        specs += _terms(terms, INITIATIVE, name, INITIATIVE, "entity", where=where)
        weight = _number(entry, "weight", where, 3.0)
        specs += _terms(terms, CUE, category, "cue", CUE, weight, where=where)
        for signal in _strings(entry, "signals", where, []):
            specs += _terms(terms, SIGNAL, signal, "signal", SIGNAL, where=where)
    return specs


def _precedence(
    data: Mapping[str, Any], signal_names: set[str], names: tuple[str, ...], where: str
) -> PrecedenceRule:
    name = _string(data, "name", where)
    category = _string(data, "category", where)
    if category not in names:
        raise TopicProblem(where, f"precedence rule {name!r}: category {category!r} not in {names}")
    when = frozenset(_strings(data, "when", where))
    unless = frozenset(_strings(data, "unless", where, []))
    over = frozenset(_strings(data, "over", where, []))
    unknown = (when | unless) - signal_names
    if unknown or not when:
        raise TopicProblem(
            where,
            f"precedence rule {name!r}: unknown signals {sorted(unknown)} (or empty 'when'); "
            f"declare them under [signals]",
        )
    if over - set(names):
        raise TopicProblem(where, f"precedence rule {name!r}: 'over' names unknown categories")
    return PrecedenceRule(name, category, when, unless, over)


def _relevance(data: Mapping[str, Any], used_kinds: set[str]) -> RelevanceModel:
    weights = _floats(
        _table(data, "weights", "relevance", required=True), RELEVANCE_WEIGHTS, "relevance.weights"
    )
    side = _side_strengths(_table(data, "side_strength", "relevance", required=True), used_kinds)
    actor = _floats(
        _table(data, "actor_strength", "relevance", required=True),
        ACTOR_KINDS,
        "relevance.actor_strength",
    )
    threshold = _number(data, "threshold", "relevance")
    if not 0.0 < threshold < 1.0:
        raise TopicProblem("relevance.threshold", "relevance.threshold must be between 0 and 1")
    return RelevanceModel(
        threshold=threshold,
        bias=_number(data, "bias", "relevance"),
        weights=weights,
        side_strength=side,
        actor_strength=actor,
        act_saturation=_number(data, "act_saturation", "relevance", 3.0),
        repeated_side_min=int(_number(data, "repeated_side_min", "relevance", 2)),
        lede_factor=_fraction(data, "lede_factor"),
        adjacent_factor=_fraction(data, "adjacent_factor"),
    )


def _side_strengths(data: Mapping[str, Any], used_kinds: set[str]) -> dict[str, float]:
    """A strength for every kind of side mention the file uses (the side tables' keys may
    be any kind: name, leader, company, media…); ``event`` and ``initiative`` default."""
    strengths = {kind: _number(data, kind, "relevance.side_strength") for kind in data}
    for kind, default in OPTIONAL_SIDE_KINDS.items():
        strengths.setdefault(kind, default)
    missing = sorted(used_kinds - set(strengths))
    if missing:
        raise TopicProblem(
            "relevance.side_strength", f"missing {missing}: a strength for each kind of side term"
        )
    return strengths


def _fraction(data: Mapping[str, Any], name: str) -> float:
    value = _number(data, name, "relevance", 0.0)
    if not 0.0 <= value <= 1.0:
        raise TopicProblem(f"relevance.{name}", f"relevance.{name} must be between 0 and 1")
    return value


def _categories(data: Mapping[str, Any], names: tuple[str, ...]) -> CategoryModel:
    fallback = _string(data, "fallback", "categories", "other")
    if fallback not in names:
        raise TopicProblem(
            "categories.fallback", f"categories.fallback {fallback!r} is not one of {names}"
        )
    venue_category = data.get("venue_category")
    if venue_category is not None and venue_category not in names:
        raise TopicProblem(
            "categories.venue_category",
            f"categories.venue_category {venue_category!r} is not one of {names}",
        )
    order = tuple(_strings(data, "precedence", "categories", list(names)))
    if sorted(order) != sorted(names):
        raise TopicProblem(
            "categories.precedence", f"must list each category of {names} once, got {order}"
        )
    return CategoryModel(
        title_factor=_number(data, "title_factor", "categories", 2.0),
        minimum=_number(data, "minimum", "categories", 1.0),
        fallback=fallback,
        venue_category=None if venue_category is None else str(venue_category),
        names=names,
        tie_order=order,
    )


def _floats(data: Mapping[str, Any], names: tuple[str, ...], where: str) -> dict[str, float]:
    missing = [n for n in names if n not in data]
    unknown = [n for n in data if n not in names]
    if missing or unknown:
        raise TopicProblem(where, f"missing {missing}, unknown {unknown}")
    return {name: _number(data, name, where) for name in names}


def _kind_lists(
    data: Mapping[str, Any],
    group: str,
    label: str,
    kinds: tuple[str, ...] | None,
    where: str = "",
) -> list[TermSpec]:
    """Term lists keyed by kind; any kind name when ``kinds`` is None (a side table)."""
    where = where or group
    specs: list[TermSpec] = []
    for kind, terms in data.items():
        if kinds is not None and kind not in kinds:
            raise TopicProblem(f"{where}.{kind}", f"unknown kind {kind!r}; expected one of {kinds}")
        specs += _terms(terms, group, label, kind, "entity", where=f"{where}.{kind}")
    return specs


def _terms(
    terms: Any,
    group: str,
    label: str,
    kind: str,
    layer: str,
    weight: float = 1.0,
    *,
    where: str = "",
) -> list[TermSpec]:
    where = where or f"{group}.{label or kind}"
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise TopicProblem(where, "terms must be a list of strings")
    for term in terms:
        try:
            parse_term(term)
        except ValueError as exc:
            raise TopicProblem(where, str(exc)) from exc
    return [TermSpec(group, label, kind, layer, term, weight) for term in terms]


# --- reading TOML values with their place ------------------------------------------------


def _need(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise TopicProblem(where, f"missing key {key!r}")
    return data[key]


def _table(
    data: Mapping[str, Any], key: str, parent: str = "", *, required: bool = False, why: str = ""
) -> Mapping[str, Any]:
    where = f"{parent}.{key}" if parent else key
    value = data.get(key)
    if value is None:
        if required:
            raise TopicProblem(where, f"missing table [{where}]" + (f" ({why})" if why else ""))
        return {}
    if not isinstance(value, Mapping):
        raise TopicProblem(where, f"expected a table ([{where}]), got {type(value).__name__}")
    return value


def _tables(data: Mapping[str, Any], key: str, parent: str = "") -> list[Mapping[str, Any]]:
    where = f"{parent}.{key}" if parent else key
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise TopicProblem(where, "expected an array of tables ([[...]] or [{...}, ...])")
    return value


def _number(data: Mapping[str, Any], key: str, where: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if value is None:
        raise TopicProblem(f"{where}.{key}", f"missing key {key!r} (a number)")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TopicProblem(f"{where}.{key}", f"expected a number, got {value!r}")
    return float(value)


def _string(data: Mapping[str, Any], key: str, where: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if value is None:
        raise TopicProblem(f"{where}.{key}", f"missing key {key!r} (a string)")
    if not isinstance(value, str) or not value:
        raise TopicProblem(f"{where}.{key}", f"expected a non-empty string, got {value!r}")
    return value


def _strings(
    data: Mapping[str, Any], key: str, where: str, default: list[str] | None = None
) -> list[str]:
    value = data.get(key, default)
    if value is None:
        raise TopicProblem(f"{where}.{key}", f"missing key {key!r} (a list of strings)")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TopicProblem(f"{where}.{key}", "expected a list of strings")
    return list(value)


def _decode_error_line(message: str) -> int | None:
    """tomllib says "(at line 3, column 7)"."""
    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None


def line_of(source: str, where: str) -> int | None:
    """The 1-based line of the TOML file where the key path ``where`` is written (its
    table header, or the key inside its table), best effort; None when not found."""
    if not where:
        return None
    parts = re.findall(r"[^.\[\]]+|\[\d+\]", where)
    lines = source.splitlines()
    headers: list[tuple[int, str, bool]] = []  # (line index, dotted name, array table)
    for i, line in enumerate(lines):
        match = re.match(r"\s*(\[\[?)\s*([^\]]+?)\s*\]", line)
        if match:
            name = ".".join(p.strip().strip('"') for p in match.group(2).split("."))
            headers.append((i, name, match.group(1) == "[["))
    # The longest prefix of the path that is a table header (nth one for "x[n]").
    best: tuple[int, int] | None = None  # (parts consumed, line index)
    for n in range(len(parts), 0, -1):
        prefix = parts[:n]
        index = 0
        if prefix[-1].startswith("["):
            index = int(prefix[-1][1:-1])
            prefix = prefix[:-1]
        name = ".".join(prefix)
        found = [i for i, header, _ in headers if header == name]
        if len(found) > index:
            best = (n, found[index])
            break
    start = best[1] if best else -1
    consumed = best[0] if best else 0
    rest = [p for p in parts[consumed:] if not p.startswith("[")]
    if not rest:
        return start + 1 if best else None
    key = re.compile(rf'\s*"?{re.escape(rest[0])}"?\s*=')
    for i in range(start + 1, len(lines)):
        if best and i > start and any(h == i for h, _, _ in headers):
            break
        if key.match(lines[i]):
            return i + 1
    return start + 1 if best else None
