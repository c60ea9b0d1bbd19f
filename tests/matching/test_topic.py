"""Topic files: the seed loads, bad files are refused with the file and problem named."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from monitor.errors import ConfigError
from monitor.matching.scanner import GroupSpotter, TermScanner, TermSpec
from monitor.matching.text import fold_text
from monitor.matching.topic import Topic, build_topic, load_topic

from .conftest import RUSSIA_TOPIC_PATH, TOPIC_PATH

MINIMAL = """
[topic]
id = "t"
name = "Test topic"

[relevance]
threshold = 0.5
bias = -1.0
[relevance.weights]
side_in_title = 1.0
latam_in_title = 1.0
side_in_text = 1.0
latam_in_text = 1.0
same_sentence = 1.0
repeated_side = 0.0
diplomatic_act = 0.0
[relevance.side_strength]
name = 1.0
leader = 1.0
place = 1.0
institution = 1.0
[relevance.actor_strength]
name = 1.0
leader = 1.0
government = 1.0
bloc = 1.0
region = 1.0
capital = 1.0
city = 1.0
demonym = 1.0
demonym_near_state_noun = 1.0

[ukraine]
name = ["Ukraine"]

[latam.countries.BR]
name = ["Brazil"]
"""


def seed_data() -> dict[str, Any]:
    return tomllib.loads(TOPIC_PATH.read_text(encoding="utf-8"))


def test_seed_topic_covers_the_33_states(topic: Topic) -> None:
    assert topic.topic_id == "ukraine-latam"
    assert len(topic.country_names) == 33
    assert topic.scanner.size > 1500


def test_a_second_topic_needs_only_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mini.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    from monitor.matching.classifier import classify

    mini = load_topic(path)
    result = classify(mini, "Ukraine and Brazil", "")
    assert result.relevant and result.countries == ("BR",) and result.category == "other"
    # The later settings are optional and off by default.
    assert mini.relevance.side_strength["event"] == 0.8
    assert mini.relevance.lede_factor == mini.relevance.adjacent_factor == 0.0
    assert mini.categories.venue_category is None
    assert mini.context.place_prepositions == frozenset()


def test_seed_topic_context_settings(topic: Topic) -> None:
    assert 0.0 < topic.relevance.lede_factor <= 1.0
    assert 0.0 < topic.relevance.adjacent_factor < 1.0
    assert topic.categories.venue_category == "summit-visit"
    assert {"in", "en", "em"} <= topic.context.place_prepositions


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["ukraine"].update(nickname=["x"]), "side_strength: missing ['nickname']"),
        (lambda d: d["ukraine"].update(name=["Uk*"]), "prefix needs at least 4"),
        (lambda d: d["ukraine"].update(name=["a*b"]), "only allowed at the end"),
        (lambda d: d["ukraine"].update(name=["=UN*"]), "case-sensitive term cannot be a prefix"),
        (lambda d: d["ukraine"].update(name=[" - "]), "empty after folding"),
        (lambda d: d["ukraine"].update(name="Ukraine"), "must be a list of strings"),
        (lambda d: d["relevance"]["weights"].pop("same_sentence"), "missing ['same_sentence']"),
        (lambda d: d["relevance"]["weights"].update(extra=1.0), "unknown ['extra']"),
        (lambda d: d["relevance"].update(threshold=1.5), "threshold must be between 0 and 1"),
        (lambda d: d["categories"].update(names=["other"]), "unknown categories"),
        (lambda d: d["categories"].update(fallback="misc"), "categories.fallback"),
        (lambda d: d["negatives"][0].update(weight=2.0), "must have a weight <= 0"),
        (lambda d: d["latam"]["countries"].update(bra={"name": ["Brazil"]}), "alpha-2"),
        (lambda d: d.pop("relevance"), "relevance"),
        (lambda d: d["relevance"].update(lede_factor=1.5), "lede_factor must be between"),
        (lambda d: d["relevance"].update(adjacent_factor=-0.1), "adjacent_factor must be"),
        (lambda d: d["categories"].update(venue_category="venue"), "venue_category"),
        (lambda d: d["negatives"][0].update(unless="sanctions"), "must be a list of strings"),
        (lambda d: d["neutral"].update(terms=[" - "]), "empty after folding"),
        (lambda d: d["initiatives"][0].update(category="peace"), "category 'peace' not in"),
        (lambda d: d["precedence"][0].update(when=["nonsense"]), "unknown signals ['nonsense']"),
        (lambda d: d["precedence"][0].update(when=[]), "empty 'when'"),
        (lambda d: d["precedence"][0].update(category="misc"), "category 'misc' not in"),
        (lambda d: d["precedence"][0].update(over=["misc"]), "'over' names unknown categories"),
    ],
)
def test_invalid_topic_data_is_refused(edit: Any, message: str) -> None:
    data = seed_data()
    edit(data)
    with pytest.raises((KeyError, TypeError, ValueError)) as caught:
        build_topic(data)
    assert message in str(caught.value)


def test_load_topic_wraps_problems_in_config_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[topic\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_topic(broken)
    with pytest.raises(ConfigError, match=r"missing\.toml"):
        load_topic(tmp_path / "missing.toml")
    invalid = tmp_path / "invalid.toml"
    invalid.write_text(MINIMAL.replace('name = ["Ukraine"]', 'name = ["U*"]'), encoding="utf-8")
    with pytest.raises(ConfigError, match="prefix needs at least 4"):
        load_topic(invalid)


def spec(term: str, layer: str = "entity", group: str = "g") -> TermSpec:
    return TermSpec(group, "", "name", layer, term)


@pytest.mark.parametrize(
    ("terms", "text", "found"),
    [
        (["Mexico"], "New Mexico and Mexico", ["Mexico", "Mexico"]),
        (["Peru"], "superuser Peru", ["Peru"]),  # whole words only
        (["Santiago Peña", "Peña"], "Santiago Peña met Peña", ["Santiago Peña", "Peña"]),
        (["ucranian*"], "los ucranianos", ["ucranianos"]),
        (["=UN"], "un voto en la UN", ["UN"]),  # case-sensitive acronym
        (["Díaz-Canel"], "Diaz Canel y DÍAZ-CANEL", ["Diaz Canel", "DÍAZ-CANEL"]),
        (["trade", "free trade agreement"], "a free trade agreement", ["free trade agreement"]),
    ],
)
def test_scanner_whole_words_prefixes_case_and_longest(
    terms: list[str], text: str, found: list[str]
) -> None:
    scanner = TermScanner([spec(t) for t in terms])
    hits = scanner.scan(fold_text(text), "text")
    assert [text[h.start : h.end] for h in hits] == found


def test_scanner_ignore_layer_swallows_inner_terms() -> None:
    scanner = TermScanner([spec("Rio"), spec("The Rio Times", "ignore", "ignore")])
    text = "(MENAFN- The Rio Times) Rio"
    hits = scanner.scan(fold_text(text), "text")
    assert [text[h.start : h.end] for h in hits] == ["Rio"]
    assert hits[0].start == text.rindex("Rio")


def test_scanner_layers_do_not_compete() -> None:
    scanner = TermScanner([spec("Ukraine"), spec("Ukraine Defense Contact Group", "cue", "cue")])
    hits = scanner.scan(fold_text("the Ukraine Defense Contact Group met"), "text")
    assert sorted(h.spec.group for h in hits) == ["cue", "g"]


def test_gate_spotter_finds_every_gate_group_a_scan_finds(
    topic: Topic, dev_items: list[dict[str, Any]]
) -> None:
    """The spotter may see more (no word, case or overlap checks), never less: the lean
    classifier's early "no" relies on it."""
    fewer_found = more_spotted = 0
    for row in dev_items:
        title, text = fold_text(row["title"]), fold_text(row["text"])
        scanned = {
            hit.spec.group
            for hit in topic.scanner.scan(title, "title") + topic.scanner.scan(text, "text")
        } & topic.gate.groups
        spotted = topic.gate_spotter.spot(title.folded, text.folded)
        assert scanned <= spotted <= topic.gate.groups
        fewer_found += scanned != spotted
        more_spotted += bool(spotted)
    assert more_spotted > len(dev_items) // 2  # the gate terms do fire on the dev set
    assert fewer_found  # and the spotter's superset is sometimes strict


def test_gate_spotter_ignores_boundaries_case_and_layers() -> None:
    specs = [
        spec("Peru", group="latam"),
        spec("=UN", group="latam"),
        spec("ucrani*", group="ukraine"),
    ]
    spotter = GroupSpotter(specs, frozenset({"latam", "ukraine"}))
    assert spotter.spot("peruvian", "") == {"latam"}  # "Peru" is a whole-word term
    assert spotter.spot("un", "los ucranianos") == {"latam", "ukraine"}
    assert spotter.spot("nothing here", "") == set()
    assert GroupSpotter(specs, frozenset({"war"})).spot("peru ucrania") == set()


@pytest.mark.parametrize("path", [TOPIC_PATH, RUSSIA_TOPIC_PATH])
def test_the_gate_rule_reads_only_the_gate_groups(path: Path) -> None:
    """The spotter looks for the gate's groups alone, so the rule must not depend on any
    other."""
    from itertools import combinations

    from monitor.matching.features import gates_can_open

    gate = load_topic(path).gate
    universe = sorted(gate.groups | {"cue", "negative", "state", "venue", "neutral"})
    for size in range(len(universe) + 1):
        for groups in combinations(universe, size):
            assert gates_can_open(gate, set(groups)) is gates_can_open(
                gate, set(groups) & gate.groups
            )


def test_seed_topic_precedence_rules_and_initiatives(topic: Topic) -> None:
    names = [rule.name for rule in topic.precedence]
    assert names == [
        "embassy-closure-is-other",
        "recruitment-is-security",
        "troops-are-security",
        "arms-refusal-is-security",
        "retaliation-over-arms-is-trade",
        "un-vote-is-multilateral",
        "peace-proposal-at-the-un",
        "ceasefire-proposal-at-the-un",
        "meeting-about-peace",
        "meeting-about-a-ceasefire",
        "call-about-peace",
        "call-about-a-ceasefire",
        "bilateral-meeting-is-a-visit",
        "phone-call-is-a-call",
        "humanitarian-visas-are-humanitarian",
        "consular-help-is-humanitarian",
        "non-recognition-is-a-stance",
        "official-visit-is-a-visit",
        "legislature-resolution-is-a-stance",
        "stance-with-a-peace-position-is-peace",
        "stance-without-act-is-other",
    ]
    assert topic.relevance.side_strength["initiative"] == 1.0
    assert topic.signal_scanner is not None and topic.signal_scanner.size > 0
