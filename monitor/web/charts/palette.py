"""Colours and patterns of the charts, chosen to be told apart by everyone. Pure.

Series colours are Okabe and Ito's palette (distinguishable with every common colour-vision
deficiency) without its black, then a grey for "other". Each bar segment is outlined in
``OUTLINE``, which differs from every fill by at least 3:1 (WCAG 1.4.11, non-text contrast),
and every second series is hatched, so neighbours differ in pattern as well as colour. The
map uses a single-hue sequential scale (ColorBrewer Blues), which reads as "more" in any
colour vision; its classes are named in the legend and every value is in the table.
"""

from __future__ import annotations

SERIES_COLOURS: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
OTHER_COLOUR = "#BBBBBB"
OUTLINE = "#1B1F24"
INK = "#1B1F24"
GRID = "#D5DAE0"
# The map: no stories, then four classes from few to many.
MAP_EMPTY = "#F4F4F4"
MAP_CLASSES: tuple[str, ...] = ("#BDD7E7", "#6BAED6", "#3182BD", "#08519C")


def series_fill(index: int, *, other: bool = False) -> str:
    """The fill of the ``index``-th series: a colour, hatched for odd series."""
    colour = OTHER_COLOUR if other else SERIES_COLOURS[index % len(SERIES_COLOURS)]
    if index % 2 == 1 and not other:
        return f"url(#{pattern_id(colour)})"
    return colour


def pattern_id(colour: str) -> str:
    return f"hatch-{colour.lstrip('#').lower()}"


def pattern_defs() -> str:
    """One hidden SVG defining the hatch pattern of every series colour, once per page
    (ids are document-wide, so charts and legends share them)."""
    patterns = "".join(
        f'<pattern id="{pattern_id(c)}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{c}"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{OUTLINE}" stroke-width="1.5"/></pattern>'
        for c in SERIES_COLOURS
    )
    return (
        '<svg class="chart-defs" width="0" height="0" aria-hidden="true" focusable="false">'
        f"<defs>{patterns}</defs></svg>"
    )


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#RRGGBB``."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio, 1 to 21."""
    a, b = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)
