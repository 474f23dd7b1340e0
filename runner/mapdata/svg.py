"""The case's map as a server-rendered SVG: the footprint, the property boundary and the map
features around it, with a legend naming each dataset and its date (no tiles, no script)."""

from __future__ import annotations

from typing import Any

import shapely
from markupsafe import Markup, escape

from runner.errors import SaksrobotError
from runner.mapdata.layers import Layer, transform
from runner.mapdata.provider import kommune_layers
from runner.mapdata.settings import DatasetKind
from runner.models.geometry import Position
from runner.settings import Settings

__all__ = ["case_map_svg"]

SIZE = 440  # px, square
REACH_M = 120.0  # metres shown around the footprint

#: How each kind is drawn: fill, stroke, dashes.
STYLES: dict[DatasetKind, tuple[str, str, str]] = {
    DatasetKind.land_use: ("#f3efe0", "#b5a878", ""),
    DatasetKind.flood_zone: ("#9ec9f0", "#1f5f9f", ""),
    DatasetKind.landslide_zone: ("#e8b7a0", "#8a3b1a", ""),
    DatasetKind.heritage: ("#d9c2ec", "#6b3d8f", ""),
    DatasetKind.cadastre: ("none", "#333333", "4 3"),
    DatasetKind.shoreline: ("none", "#0b4f8a", ""),
    DatasetKind.road: ("none", "#7a7a7a", ""),
    DatasetKind.building_line: ("none", "#c0392b", "8 4"),
}
#: Drawing order: areas first, lines over them.
ORDER = [
    DatasetKind.land_use,
    DatasetKind.flood_zone,
    DatasetKind.landslide_zone,
    DatasetKind.heritage,
    DatasetKind.cadastre,
    DatasetKind.shoreline,
    DatasetKind.road,
    DatasetKind.building_line,
]
TEXTS = {
    "nb": {
        "title": "Kart over tiltaket",
        "footprint": "Tiltaket (fotavtrykk)",
        "dated": "datert",
        "desc": "Tiltakets plassering med kommunens kartdata rundt, {m} meter i hver retning.",
    },
    "nn": {
        "title": "Kart over tiltaket",
        "footprint": "Tiltaket (fotavtrykk)",
        "dated": "datert",
        "desc": "Plasseringa av tiltaket med kartdataa til kommunen rundt, {m} meter i kvar "
        "retning.",
    },
}


def case_map_svg(
    settings: Settings, data: dict[str, Any], kommunenummer: str | None, malform: str
) -> Markup | None:
    """The SVG for a case's `data` (its JSON), or None when it has no position or its
    kommune no map data that can be read."""
    raw = data.get("position") if isinstance(data, dict) else None
    if not raw:
        return None
    try:
        position = Position.model_validate(raw)
        kommune = settings.kommune_for(kommunenummer)
        if kommune.map_data is None:
            return None
        layers = kommune_layers(kommune.map_data, settings.map_dir)
    except (SaksrobotError, ValueError):
        return None
    crs = kommune.map_data.crs
    footprint = transform(position.shape(), position.crs, crs)
    return _draw(footprint, layers, "nn" if malform == "nn" else "nb")


def _draw(footprint: shapely.Geometry, layers: dict[DatasetKind, Layer], language: str) -> Markup:
    texts = TEXTS[language]
    view = shapely.box(*shapely.bounds(shapely.buffer(footprint, REACH_M, quad_segs=1)))
    west, south, east, north = shapely.bounds(view)
    scale = SIZE / max(east - west, north - south)

    def point(x: float, y: float) -> str:
        return f"{(x - west) * scale:.1f} {(north - y) * scale:.1f}"

    def path(geometry: shapely.Geometry) -> str:
        parts: list[str] = []
        for part in shapely.get_parts(geometry):
            if isinstance(part, shapely.Polygon):
                for ring in [part.exterior, *part.interiors]:
                    coords = list(ring.coords)
                    parts.append("M" + " L".join(point(x, y) for x, y in coords) + " Z")
            elif isinstance(part, shapely.LineString | shapely.LinearRing):
                parts.append("M" + " L".join(point(x, y) for x, y in part.coords))
        return " ".join(parts)

    shapes: list[str] = []
    legend: list[tuple[str, str, str, str]] = []
    for kind in ORDER:
        layer = layers.get(kind)
        if layer is None:
            continue
        fill, stroke, dash = STYLES[kind]
        dataset = layer.dataset
        title = dataset.title.nn if language == "nn" else dataset.title.nb
        legend.append(
            (fill, stroke, dash, f"{title}, {texts['dated']} {dataset.dated.isoformat()}")
        )
        for index in layer.tree.query(view):
            clipped = shapely.intersection(layer.geometries[int(index)], view)
            if shapely.is_empty(clipped):
                continue
            if kind == DatasetKind.cadastre:
                clipped = shapely.intersection(shapely.boundary(layer.geometries[int(index)]), view)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            width = "2" if fill == "none" else "1"
            shapes.append(
                f'<path d="{path(clipped)}" fill="{fill}" fill-opacity="0.7" stroke="{stroke}" '
                f'stroke-width="{width}"{dashes}/>'
            )
    shapes.append(f'<path d="{path(footprint)}" fill="#e74c3c" stroke="#7b1d12" stroke-width="2"/>')
    legend.append(("#e74c3c", "#7b1d12", "", texts["footprint"]))
    rows = []
    for row, (fill, stroke, dash, label) in enumerate(legend):
        y = SIZE + 14 + row * 18
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        rows.append(
            f'<rect x="4" y="{y - 10}" width="14" height="12" fill="{fill}" stroke="{stroke}"'
            f' stroke-width="1.5"{dashes}/>'
            f'<text x="24" y="{y}" font-size="12">{escape(label)}</text>'
        )
    height = SIZE + 12 + len(legend) * 18
    description = texts["desc"].format(m=int(REACH_M))
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {height}" width="{SIZE}" '
        f'height="{height}" role="img" aria-labelledby="map-title map-desc" class="case-map">'
        f'<title id="map-title">{escape(texts["title"])}</title>'
        f'<desc id="map-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{SIZE}" height="{SIZE}" fill="#ffffff" stroke="#999999"/>'
        f"<g>{''.join(shapes)}</g><g>{''.join(rows)}</g></svg>"
    )
    return Markup(svg)
