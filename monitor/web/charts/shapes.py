"""The map's shapes: ``monitor/web/geo/lac.json``, made by ``scripts/vendor-shapes`` from
Natural Earth (public domain) through the npm package world-atlas (ISC), both licences
beside it. Read once; None when the file is missing or unreadable, and the page then shows
the table alone with a note, never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class CountryShape:
    code: str  # ISO 3166-1 alpha-2
    path: str  # SVG path data in the map's view
    centre: tuple[float, float]
    area: float  # in square view units


@dataclass(frozen=True, slots=True)
class MapShapes:
    width: float
    height: float
    source: str
    countries: tuple[CountryShape, ...]


def parse_shapes(data: Any) -> MapShapes:
    """The generated JSON as shapes; ValueError when it is not what vendor-shapes writes."""
    try:
        countries = tuple(
            CountryShape(
                code=str(c["code"]),
                path=str(c["path"]),
                centre=(float(c["centre"][0]), float(c["centre"][1])),
                area=float(c["area"]),
            )
            for c in data["countries"]
        )
        return MapShapes(
            float(data["width"]), float(data["height"]), str(data["source"]), countries
        )
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise ValueError(
            f"map shapes: not the format scripts/vendor-shapes writes ({exc})"
        ) from exc


def read_shapes(path: Path) -> MapShapes | None:
    """The shapes in ``path``, or None if it is absent or malformed."""
    try:
        return parse_shapes(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def packaged_shapes_path() -> Path:
    return Path(str(files("monitor.web").joinpath("geo", "lac.json")))


@cache
def packaged_shapes() -> MapShapes | None:
    return read_shapes(packaged_shapes_path())
