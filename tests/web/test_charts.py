"""The charts' pure functions: counts, buckets, SVG, CSV, palette and map shapes."""

from __future__ import annotations

import csv
import io
import itertools
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from monitor.trends.periods import buckets, regroup, regroup_all
from monitor.trends.volumes import CATEGORY, COUNTRY, OUTLET, split_kinds, tally
from monitor.web.charts.bars import (
    RankedChart,
    Series,
    StackedChart,
    nice_step,
    rank,
    ranked_bars_svg,
    stacked_bars_svg,
    top_series,
)
from monitor.web.charts.choropleth import SMALL_AREA, choropleth_svg, class_of, map_classes
from monitor.web.charts.palette import (
    MAP_CLASSES,
    MAP_EMPTY,
    OTHER_COLOUR,
    OUTLINE,
    SERIES_COLOURS,
    contrast_ratio,
)
from monitor.web.charts.shapes import packaged_shapes, packaged_shapes_path, read_shapes
from monitor.web.charts.tables import Table, safe_cell, stacked_table, to_csv
from monitor.web.workspace.trends_view import MAX_DAYS, parse_trends
from tests import PROJECT_ROOT

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE_OUTLET = '=HYPERLINK("http://x.example","<script>alert(1)</script>")'
FIRST = date(2026, 11, 2)  # a Monday
LAST = date(2026, 11, 15)


STORY_IDS = itertools.count(1)


def row(day: date, hour: int, countries: list[str], category: str | None, outlet: str) -> Any:
    """An alert of its own story (``alert_rows``' columns)."""
    return SimpleNamespace(
        story_id=next(STORY_IDS),
        created_at=datetime(day.year, day.month, day.day, hour, tzinfo=UTC),
        countries=countries,
        category=category,
        credited_outlet=outlet,
    )


ROWS = [
    row(FIRST, 1, ["BR", "AR"], "peace-plan", "Rio Times"),
    row(FIRST, 23, ["BR"], "trade-economy", "Rio Times"),
    row(FIRST + timedelta(days=3), 12, ["MX"], None, HOSTILE_OUTLET),
    row(LAST, 12, [], "humanitarian", ""),
    row(LAST + timedelta(days=1), 12, ["BR"], "peace-plan", "late"),  # outside the period
]


def test_tally_counts_each_key_on_its_day_and_ignores_rows_outside() -> None:
    counts = tally(ROWS, FIRST, LAST, kinds=(COUNTRY, CATEGORY, OUTLET))
    assert counts["country:BR"][:2] == [2, 0] and sum(counts["country:BR"]) == 2
    assert sum(counts["country:AR"]) == 1 and counts["country:MX"][3] == 1
    assert "category:None" not in counts and sum(counts["category:humanitarian"]) == 1
    assert counts["outlet:Rio Times"][0] == 2 and "outlet:late" not in counts
    assert all(len(series) == 14 for series in counts.values())
    by = split_kinds(counts)
    assert set(by[OUTLET]) == {"Rio Times", HOSTILE_OUTLET}
    # the spike detector's kinds stay countries and categories
    assert not any(key.startswith("outlet:") for key in tally(ROWS, FIRST, LAST))


def test_tally_counts_a_story_alerted_under_two_topics_once_per_key() -> None:
    # One story, Ukraine's alert on the 2nd naming BR, Russia's on the 3rd naming BR and AR.
    ukraine = row(FIRST + timedelta(days=1), 9, ["BR"], "peace-plan", "Rio Times")
    russia = SimpleNamespace(
        **{
            **vars(row(FIRST + timedelta(days=2), 9, ["BR", "AR"], "sanctions", "Rio Times")),
            "story_id": ukraine.story_id,
        }
    )
    counts = tally([russia, ukraine], FIRST, LAST, kinds=(COUNTRY, CATEGORY, OUTLET))
    assert counts["country:BR"][1:3] == [1, 0] and sum(counts["country:BR"]) == 1
    assert counts["country:AR"][2] == 1 and sum(counts["country:AR"]) == 1
    assert sum(counts["category:peace-plan"]) == sum(counts["category:sanctions"]) == 1
    assert sum(counts["outlet:Rio Times"]) == 1


def test_tally_uses_the_readers_days() -> None:
    from zoneinfo import ZoneInfo

    late = [row(FIRST, 1, ["BR"], None, "x")]  # 01:00 UTC is the evening before in São Paulo
    counts = tally(late, FIRST - timedelta(days=1), FIRST, zone=ZoneInfo("America/Sao_Paulo"))
    assert counts["country:BR"] == [1, 0]


def test_empty_period_gives_empty_charts_that_still_draw() -> None:
    counts = tally([], FIRST, LAST)
    assert counts == {}
    chart = StackedChart("c", "t", "d", tuple(b.label for b in buckets(FIRST, LAST, "day")), ())
    assert chart.totals() == [0] * 14
    root = ET.fromstring(stacked_bars_svg(chart))
    assert root.findall(f"{SVG}rect") == []
    ranked = ET.fromstring(ranked_bars_svg(RankedChart("r", "t", "d", ())))
    assert ranked.get("role") == "img"


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (FIRST, LAST, [(FIRST, FIRST + timedelta(days=6)), (FIRST + timedelta(days=7), LAST)]),
        # partial weeks at both ends hold only the period's days
        (
            date(2026, 11, 5),
            date(2026, 11, 10),
            [(date(2026, 11, 5), date(2026, 11, 8)), (date(2026, 11, 9), date(2026, 11, 10))],
        ),
        (FIRST, FIRST, [(FIRST, FIRST)]),
    ],
)
def test_weeks_run_monday_to_sunday_within_the_period(
    first: date, last: date, expected: list[tuple[date, date]]
) -> None:
    assert [(b.first, b.last) for b in buckets(first, last, "week")] == expected


def test_regrouping_keeps_every_story() -> None:
    daily = list(range(14))
    weeks = buckets(FIRST, LAST, "week")
    assert regroup(daily, FIRST, weeks) == [sum(range(7)), sum(range(7, 14))]
    assert regroup(daily, FIRST, buckets(FIRST, LAST, "day")) == daily
    counts = tally(ROWS, FIRST, LAST)
    grouped = regroup_all(counts, FIRST, weeks)
    assert {k: sum(v) for k, v in grouped.items()} == {k: sum(v) for k, v in counts.items()}


def test_top_series_keeps_the_largest_and_sums_the_rest_as_other() -> None:
    counts = {f"C{n}": [n, 1] for n in range(10)}
    series = top_series(counts, {"C9": "Nine"}, keep=3, other_label="Other")
    assert [s.key for s in series] == ["C9", "C8", "C7", "other"]
    assert series[0].label == "Nine" and series[-1].other
    assert series[-1].values == (sum(range(7)), 7)
    assert sum(s.total for s in series) == sum(sum(v) for v in counts.values())
    assert top_series({"Z": [0, 0]}, {}, keep=3, other_label="Other") == ()


def _bar_heights(svg: str) -> dict[float, float]:
    """Total drawn height of the segments at each x."""
    heights: dict[float, float] = {}
    for rect in ET.fromstring(svg).iter(f"{SVG}rect"):
        x = float(rect.get("x", "0"))
        heights[x] = heights.get(x, 0.0) + float(rect.get("height", "0"))
    return heights


def test_stacked_segments_sum_to_the_bar_and_bars_are_proportional() -> None:
    series = (
        Series("BR", "Brazil", (3, 0, 5, 1)),
        Series("AR", "Argentina", (1, 2, 0, 1)),
        Series("other", "Other", (0, 2, 1, 0), other=True),
    )
    chart = StackedChart("by-country", "Title", "Desc", ("2026-11-02",) * 4, series)
    assert chart.totals() == [4, 4, 6, 2]
    svg = stacked_bars_svg(chart)
    heights = sorted(_bar_heights(svg).items())
    drawn = [h for _, h in heights]
    for height, total in zip(drawn, chart.totals(), strict=True):
        assert height == pytest.approx(drawn[2] * total / 6, abs=0.2)
    # the totals are written above the bars, the segments titled with series and count
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert {"4", "6", "2"} <= set(texts)
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert "Brazil, 2026-11-02: 3" in titles and "Other, 2026-11-02: 2" in titles


def test_every_chart_is_a_titled_described_image() -> None:
    chart = StackedChart("c1", "Stories & <things>", "A description", ("2026-11-02",), ())
    root = ET.fromstring(stacked_bars_svg(chart))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Stories & <things>"  # type: ignore[union-attr]
    assert root.find(f"{SVG}title").get("id") == "c1-title"  # type: ignore[union-attr]
    assert root.find(f"{SVG}desc").text == "A description"  # type: ignore[union-attr]


def test_hostile_outlet_names_are_text_in_the_svg() -> None:
    chart = RankedChart("o", "Outlets", "d", ((HOSTILE_OUTLET, 3), ("<b>x</b>", 1)))
    svg = ranked_bars_svg(chart)
    assert "<script>" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)  # well-formed: nothing broke out of an attribute or element
    titles = [t.text for t in root.iter(f"{SVG}title")]
    assert f"{HOSTILE_OUTLET}: 3" in titles and "<b>x</b>: 1" in titles
    assert [e.tag for e in root.iter()].count(f"{SVG}script") == 0


def test_rank_orders_by_count_then_name() -> None:
    assert rank({"b": 2, "a": 2, "c": 5, "z": 0}, keep=2) == (("c", 5), ("a", 2))


@pytest.mark.parametrize(("largest", "step"), [(0, 1), (4, 1), (9, 2), (23, 5), (140, 50)])
def test_nice_steps(largest: int, step: int) -> None:
    assert nice_step(largest) == step
    assert largest / step <= 5


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HOSTILE_OUTLET])
def test_csv_cells_that_look_like_formulas_are_made_text(value: str) -> None:
    assert safe_cell(value) == "'" + value
    parsed = list(csv.reader(io.StringIO(to_csv(Table(("name", "n"), ((value, 3),))))))
    assert parsed == [["name", "n"], ["'" + value, "3"]]


def test_csv_keeps_plain_text_and_numbers() -> None:
    assert safe_cell("Rio Times") == "Rio Times" and safe_cell(-4) == -4
    chart = StackedChart(
        "c", "t", "d", ("2026-11-02", "2026-11-03"), (Series("BR", "Brazil", (1, 2)),)
    )
    table = stacked_table(chart, period_label="Day", total_label="Total")
    assert list(csv.reader(io.StringIO(to_csv(table)))) == [
        ["Day", "Brazil", "Total"],
        ["2026-11-02", "1", "1"],
        ["2026-11-03", "2", "2"],
    ]


def test_palette_outlines_contrast_with_every_fill() -> None:
    for colour in (*SERIES_COLOURS, OTHER_COLOUR, MAP_EMPTY, *MAP_CLASSES):
        # WCAG 1.4.11: each shape differs by 3:1 from its outline or from the white page
        assert max(contrast_ratio(colour, OUTLINE), contrast_ratio(colour, "#FFFFFF")) >= 3, colour
    assert len(set(SERIES_COLOURS)) == len(SERIES_COLOURS)
    # the map's classes get darker with the count
    luminance = [contrast_ratio(c, "#FFFFFF") for c in (MAP_EMPTY, *MAP_CLASSES)]
    assert luminance == sorted(luminance)
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)


@pytest.mark.parametrize("counts", [[], [0, 0], [1], [3, 0, 1], [7, 12, 1, 0, 4], [100, 1]])
def test_map_classes_put_every_count_in_exactly_one_class(counts: list[int]) -> None:
    classes = map_classes(counts)
    assert classes[0].low == classes[0].high == 0
    for low, high in pairwise(classes):
        assert high.low == low.high + 1
    for count in range(max(counts, default=0) + 1):
        assert sum(c.low <= count <= c.high for c in classes) == 1
        assert class_of(count, classes).low <= count
    assert classes[-1].high == max(counts, default=0)


def test_the_packaged_shapes_cover_the_region_with_their_licence() -> None:
    shapes = packaged_shapes()
    assert shapes is not None, "run scripts/vendor-shapes"
    codes = {c.code for c in shapes.countries}
    topic = (PROJECT_ROOT / "seeds" / "topics" / "ukraine-latam.toml").read_text()
    region = {
        line[len("[latam.countries.") : -1]
        for line in topic.splitlines()
        if line.startswith("[latam.countries.")
    }
    assert region and region <= codes
    folder = packaged_shapes_path().parent
    assert (
        "ISC" in (folder / "LICENSE-world-atlas").read_text()
        or "Permission" in (folder / "LICENSE-world-atlas").read_text()
    )
    assert "public domain" in (folder / "NOTICE").read_text()
    assert "world-atlas@2.0.2" in shapes.source
    assert any(c.area < SMALL_AREA for c in shapes.countries)


def test_missing_or_broken_shapes_read_as_none(tmp_path: Path) -> None:
    assert read_shapes(tmp_path / "absent.json") is None
    (tmp_path / "broken.json").write_text(json.dumps({"countries": [{"code": "BR"}]}))
    assert read_shapes(tmp_path / "broken.json") is None


def test_the_map_links_every_country_and_marks_the_small_ones() -> None:
    shapes = packaged_shapes()
    assert shapes is not None
    counts = {"BR": 12, "BB": 1, "MX": 3}
    svg = choropleth_svg(
        shapes,
        counts,
        chart_id="m",
        title="Map",
        description="Desc",
        name_of=lambda code: {"BB": "Barbados <&>"}.get(code, code),
        label_of=lambda name, count: f"{name}: {count}",
        link_of=lambda code: f"/latest?country={code}&from=2026-11-01",
    )
    root = ET.fromstring(svg)
    links = root.findall(f"{SVG}a")
    assert len(links) == len(shapes.countries)
    by_title = {a.find(f"{SVG}title").text: a for a in links}  # type: ignore[union-attr]
    assert "Barbados <&>: 1" in by_title and "BR: 12" in by_title and "PY: 0" in by_title
    assert by_title["BR: 12"].get("href") == "/latest?country=BR&from=2026-11-01"
    classes = map_classes(list(counts.values()))
    assert by_title["BR: 12"].find(f"{SVG}path").get("fill") == class_of(12, classes).colour  # type: ignore[union-attr]
    assert by_title["PY: 0"].find(f"{SVG}path").get("fill") == MAP_EMPTY  # type: ignore[union-attr]
    small = {c.code for c in shapes.countries if c.area < SMALL_AREA}
    marked = {a.find(f"{SVG}text").text for a in links if a.find(f"{SVG}circle") is not None}  # type: ignore[union-attr]
    assert marked == small and {"BB", "GD", "KN", "LC", "VC", "DM", "AG"} <= marked


def test_trends_url_defaults_and_problems() -> None:
    today = date(2026, 12, 6)
    view = parse_trends({}, today)
    assert (view.first, view.last, view.every, view.node) == (date(2026, 11, 7), today, "day", None)
    view = parse_trends({"from": "2026-12-01", "to": "2026-11-01", "every": "month"}, today)
    assert (view.first, view.last, view.every) == (date(2026, 11, 1), date(2026, 12, 1), "day")
    assert [key for key, _ in view.problems] == ["trends.bad_order", "trends.bad_every"]
    view = parse_trends({"from": "2020-01-01", "to": "bogus"}, today)
    assert view.last == today and (view.last - view.first).days + 1 == MAX_DAYS
    assert ("trends.bad_date", "bogus") in view.problems
    view = parse_trends({"every": "week", "q": "Zelensk* AND country:BR"}, today)
    assert view.every == "week" and view.node is not None and view.error is None
    assert "q=Zelensk%2A+AND+country%3ABR" in view.url_query()


def test_a_query_syntax_error_keeps_its_position() -> None:
    view = parse_trends({"q": 'Lula AND "peace'}, date(2026, 12, 6))
    assert view.node is None and view.error is not None
    assert view.error.position == 9
