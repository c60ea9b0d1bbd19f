"""Build-time converter: Natural Earth countries (world-atlas TopoJSON) → a compact, projected
map of Latin America and the Caribbean that the Trends page draws as SVG.

    python scripts/lac_shapes.py countries-50m.json SOURCE_LABEL > monitor/web/geo/lac.json

Run by ``scripts/vendor-shapes`` (which pins and verifies the npm package); never at run time.
Pure standard library, so it runs before the virtualenv exists. What it does:

- decodes the TopoJSON arcs (quantized, delta-encoded) of the 33 countries of the region
  and Puerto Rico, by ISO 3166-1 numeric id → alpha-2;
- projects longitude/latitude with an equirectangular projection true at 15°S-15°N
  (x = lon·cos 10°, y = -lat), scaled to a 1000-unit-wide view;
- rounds to 0.1 unit, simplifies each ring (Douglas-Peucker, 0.4 unit), drops rings smaller than a tenth of a square unit
  (but keeps a country's largest ring, so a small island state never disappears);
- records each country's area and the centre of its largest ring, so the page can put a
  labelled marker on states too small to see or click.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

# ISO 3166-1 numeric → alpha-2: the region's countries monitor knows (monitor/notify/labels.py).
REGION = {
    "028": "AG",
    "032": "AR",
    "044": "BS",
    "052": "BB",
    "068": "BO",
    "076": "BR",
    "084": "BZ",
    "152": "CL",
    "170": "CO",
    "188": "CR",
    "192": "CU",
    "212": "DM",
    "214": "DO",
    "218": "EC",
    "222": "SV",
    "308": "GD",
    "320": "GT",
    "328": "GY",
    "332": "HT",
    "340": "HN",
    "388": "JM",
    "484": "MX",
    "558": "NI",
    "591": "PA",
    "600": "PY",
    "604": "PE",
    "659": "KN",
    "662": "LC",
    "670": "VC",
    "740": "SR",
    "780": "TT",
    "858": "UY",
    "862": "VE",
    "630": "PR",
}
WEST, EAST, NORTH, SOUTH = -118.5, -33.5, 33.0, -56.5
WIDTH = 1000.0
X_FACTOR = math.cos(math.radians(10))
SCALE = WIDTH / ((EAST - WEST) * X_FACTOR)
HEIGHT = round((NORTH - SOUTH) * SCALE, 1)
MIN_RING_AREA = 0.1
TOLERANCE = 0.4  # Douglas-Peucker, in view units (the view is 1000 wide)


def project(lon: float, lat: float) -> tuple[float, float]:
    return (
        round((lon - WEST) * X_FACTOR * SCALE, 1),
        round((NORTH - lat) * SCALE, 1),
    )


def decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Every arc as absolute longitude/latitude points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def ring_points(
    indices: list[int], arcs: list[list[tuple[float, float]]]
) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def area_and_centre(ring: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """Shoelace area (absolute) and centroid of a projected ring."""
    twice, cx, cy = 0.0, 0.0, 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        twice += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(twice) < 1e-9:
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(twice) / 2, (cx / (3 * twice), cy / (3 * twice))


def simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Douglas-Peucker: drop the points closer than TOLERANCE to the line they sit on."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        length = math.hypot(x1 - x0, y1 - y0)
        worst, where = 0.0, -1
        for i in range(first + 1, last):
            x, y = points[i]
            if length == 0:
                distance = math.hypot(x - x0, y - y0)
            else:
                distance = abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
            if distance > worst:
                worst, where = distance, i
        if worst > TOLERANCE:
            keep[where] = True
            stack += [(first, where), (where, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def compact(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for point in ring:
        if not kept or point != kept[-1]:
            kept.append(point)
    if len(kept) > 4:
        kept = simplify(kept)
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def path_of(rings: list[list[tuple[float, float]]]) -> str:
    def number(value: float) -> str:
        return f"{value:.1f}".rstrip("0").rstrip(".")

    parts = []
    for ring in rings:
        head, *rest = ring
        parts.append(
            f"M{number(head[0])} {number(head[1])}"
            + "L"
            + " ".join(f"{number(x)} {number(y)}" for x, y in rest)
            + "Z"
        )
    return "".join(parts)


def convert(topology: dict[str, Any], source: str) -> dict[str, Any]:
    arcs = decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = REGION.get(str(geometry.get("id", "")))
        if code is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = []
        for polygon in polygons:
            for indices in polygon:
                projected = compact([project(lon, lat) for lon, lat in ring_points(indices, arcs)])
                if len(projected) >= 3:
                    rings.append((area_and_centre(projected), projected))
        rings.sort(key=lambda item: -item[0][0])
        (_, centre), _ = rings[0]
        kept = [ring for (area, _), ring in rings if area >= MIN_RING_AREA] or [rings[0][1]]
        countries.append(
            {
                "code": code,
                "area": round(sum(area for (area, _), _ in rings), 1),
                "centre": [round(centre[0], 1), round(centre[1], 1)],
                "path": path_of(kept),
            }
        )
    missing = sorted(set(REGION.values()) - {c["code"] for c in countries})
    if missing:
        raise SystemExit(f"lac_shapes: no shape for {', '.join(missing)} in the source")
    countries.sort(key=lambda c: c["code"])
    return {"source": source, "width": WIDTH, "height": HEIGHT, "countries": countries}


def main() -> None:
    source_file, label = sys.argv[1], sys.argv[2]
    with open(source_file, encoding="utf-8") as handle:
        topology = json.load(handle)
    json.dump(convert(topology, label), sys.stdout, separators=(",", ":"), ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
