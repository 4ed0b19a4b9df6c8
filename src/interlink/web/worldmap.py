"""The command centre's world map, drawn from bundled geometry (Natural Earth's country
outlines in ``static/vendor/world-atlas``) as SVG paths: no tile server, no script.

The TopoJSON is decoded once per process: arcs are delta-encoded, quantised integers;
a ring is a chain of arcs (a negative index is an arc walked backwards, ``~i``), and
consecutive arcs share their joining point. Countries are keyed by ISO alpha-2 code (the
file's ids are numeric), and projected equirectangularly onto a 360 x 170 box.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import pycountry

__all__ = ["HEIGHT", "WIDTH", "country_paths", "shade"]

GEOMETRY = Path(__file__).parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"
WIDTH, HEIGHT = 360, 170
_TOP = 84.0  # latitude of the map's top edge; Antarctica's far south is cut at the bottom

Point = tuple[float, float]


def _decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _path(polygons: list[list[list[int]]], arcs: list[list[Point]]) -> str:
    parts = []
    for polygon in polygons:
        for indices in polygon:
            path, previous = "", None
            for lon, lat in _ring(indices, arcs):
                # A ring that crosses the antimeridian (Russia, Fiji) jumps across the
                # map: lift the pen there rather than draw a line round the world.
                jump = previous is None or abs(lon - previous) > 180
                path += ("M" if jump else "L") + f"{lon + 180:.1f} {_TOP - lat:.1f}"
                previous = lon
            parts.append(path + "Z")
    return "".join(parts)


def _alpha2(geometry: dict[str, Any]) -> str | None:
    numeric = geometry.get("id")
    if numeric:
        country = pycountry.countries.get(numeric=numeric)
        return country.alpha_2 if country else None
    name = geometry.get("properties", {}).get("name")
    return "XK" if name == "Kosovo" else None  # user-assigned code, not in ISO 3166


@lru_cache(maxsize=1)
def country_paths() -> tuple[tuple[str | None, str, str], ...]:
    """(alpha-2 code or None, name, SVG path data) for every country outline."""
    topology = json.loads(GEOMETRY.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    countries = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geometry["arcs"]] if kind == "Polygon" else geometry["arcs"]
        name = geometry.get("properties", {}).get("name", "")
        countries.append((_alpha2(geometry), name, _path(polygons, arcs)))
    return tuple(countries)


# A sequential single-hue scale (light to dark blue): told apart by lightness alone, so it
# reads the same for colour-blind users and in greyscale.
_SCALE = ("#dbe9f6", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NONE = "#eef0f2"


def shade(count: int, highest: int) -> str:
    """The fill of a country with ``count`` events when the busiest has ``highest``."""
    if count <= 0 or highest <= 0:
        return NONE
    step = min(len(_SCALE) - 1, (count * len(_SCALE) - 1) // highest)
    return _SCALE[step]
