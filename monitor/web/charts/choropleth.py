"""The map of Latin America and the Caribbean, each country shaded by its count. Pure.

Each country is a link (to Latest filtered by it) holding its shape and a ``<title>`` that
names it and its count. States too small to see or click at this scale (``SMALL_AREA``, the
Lesser Antilles) also get a labelled marker in a column east of the islands, joined to the
island by a thin line, in the same link. Counts fall into classes (``map_classes``) whose
colours and ranges the legend shows; every count is in the table beside the map.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from monitor.web.charts.palette import INK, MAP_CLASSES, MAP_EMPTY, OUTLINE
from monitor.web.charts.shapes import MapShapes

SMALL_AREA = 60.0  # square view units (the view is 1000 wide)
CALLOUT_X = 960.0
CALLOUT_GAP = 30.0


@dataclass(frozen=True, slots=True)
class MapClass:
    """Counts from ``low`` to ``high`` (both included) are drawn in ``colour``."""

    low: int
    high: int
    colour: str


def map_classes(counts: Sequence[int]) -> tuple[MapClass, ...]:
    """No stories, then up to four equal ranges of whole numbers up to the largest count."""
    largest = max(counts, default=0)
    classes = [MapClass(0, 0, MAP_EMPTY)]
    if largest <= 0:
        return tuple(classes)
    width = math.ceil(largest / len(MAP_CLASSES))
    low = 1
    for colour in MAP_CLASSES:
        high = min(largest, low + width - 1)
        classes.append(MapClass(low, high, colour))
        if high >= largest:
            break
        low = high + 1
    return tuple(classes)


def class_of(count: int, classes: Sequence[MapClass]) -> MapClass:
    for found in classes:
        if found.low <= count <= found.high:
            return found
    return classes[-1]


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def choropleth_svg(
    shapes: MapShapes,
    counts: Mapping[str, int],
    *,
    chart_id: str,
    title: str,
    description: str,
    name_of: Callable[[str], str],
    label_of: Callable[[str, int], str],
    link_of: Callable[[str], str],
) -> str:
    """The map as SVG. ``label_of(name, count)`` is a country's title text, ``link_of(code)``
    where its link goes; ``name_of(code)`` its name."""
    classes = map_classes(list(counts.values()))
    cid = escape(chart_id)
    out = [
        f'<svg class="map" id="{cid}" role="group" viewBox="0 0 {_n(shapes.width)} '
        f'{_n(shapes.height)}" aria-labelledby="{cid}-title {cid}-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>'
    ]
    small = sorted((s for s in shapes.countries if s.area < SMALL_AREA), key=lambda s: s.centre[1])
    first_y = min((s.centre[1] for s in small), default=0.0) - CALLOUT_GAP
    callouts = {s.code: (CALLOUT_X, first_y + i * CALLOUT_GAP) for i, s in enumerate(small)}
    for shape in sorted(shapes.countries, key=lambda s: s.code):
        count = counts.get(shape.code, 0)
        fill = class_of(count, classes).colour
        label = escape(label_of(name_of(shape.code), count))
        out.append(
            f'<a href="{escape(link_of(shape.code))}" class="country">'
            f"<title>{label}</title>"
            f'<path d="{escape(shape.path)}" fill="{fill}" stroke="{OUTLINE}" '
            f'stroke-width="0.6"/>'
        )
        if shape.code in callouts:
            x, y = callouts[shape.code]
            cx, cy = shape.centre
            out.append(
                f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x)}" y2="{_n(y)}" stroke="{INK}" '
                f'stroke-width="0.8"/>'
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="9" fill="{fill}" stroke="{OUTLINE}" '
                f'stroke-width="1.2"/>'
                f'<text x="{_n(x + 14)}" y="{_n(y)}" dy="0.35em" font-size="16" '
                f'fill="{INK}">{escape(shape.code)}</text>'
            )
        out.append("</a>")
    out.append("</svg>")
    return "".join(out)
