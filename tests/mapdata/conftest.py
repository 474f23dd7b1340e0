"""Map datasets written as real GeoPackage files in tmp_path, read back by runner.mapdata."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import pytest
import shapely

from runner.mapdata import DatasetKind, MapDataset, MapDataSettings

#: The test area's south-west corner in EPSG:25832 (Askøy).
X0, Y0 = 285_000.0, 6_710_000.0
DATED = date(2026, 6, 1)
TODAY = date(2026, 9, 21)


def at(x: float, y: float) -> tuple[float, float]:
    """Local metres → EPSG:25832."""
    return X0 + x, Y0 + y


def box(x1: float, y1: float, x2: float, y2: float) -> shapely.Polygon:
    return shapely.box(*at(x1, y1), *at(x2, y2))


def line(*points: tuple[float, float]) -> shapely.LineString:
    return shapely.LineString([at(x, y) for x, y in points])


def write_layer(
    path: Path,
    layer: str,
    geometries: list[shapely.Geometry],
    fields: dict[str, list[Any]],
    crs: str = "EPSG:25832",
) -> None:
    names = list(fields)
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.asarray(geometries, dtype=object)),
        field_data=[np.asarray(fields[name]) for name in names],
        fields=names,
        layer=layer,
        driver="GPKG",
        crs=crs,
        geometry_type="Unknown",
        append=path.exists(),
    )


def dataset(kind: DatasetKind, layer: str, **extra: Any) -> MapDataset:
    return MapDataset.model_validate(
        {
            "id": extra.pop("id", layer),
            "kind": kind,
            "title": {"nb": f"{layer} (test)", "nn": f"{layer} (test)"},
            "path": "kart.gpkg",
            "layer": layer,
            "id_attribute": "lokalId",
            "dated": DATED,
            "coverage_layer": "dekning",
            **extra,
        }
    )


@pytest.fixture
def map_dir(tmp_path: Path) -> Path:
    """A kommune's map data: plan (1110 west, 5100 east), shoreline along y=100, a flood
    zone, a heritage site, a kommunal veg at y=300 with a plan building line at y=285,
    a fylkesveg at x=900, parcel 3/118, coverage 0..1000 × 0..1000."""
    path = tmp_path / "kart.gpkg"
    write_layer(path, "dekning", [box(0, 0, 1000, 1000)], {"navn": ["test"]})
    write_layer(
        path,
        "plan",
        [box(0, 0, 500, 1000), box(500, 0, 1000, 1000)],
        {"lokalId": ["plan.1", "plan.2"], "arealformål": [1110, 5100]},
    )
    write_layer(path, "strand", [line((0, 100), (1000, 100))], {"lokalId": ["strand.1"]})
    write_layer(path, "flom", [box(200, 400, 300, 500)], {"lokalId": ["flom.1"]})
    write_layer(path, "skred", [box(700, 900, 800, 950)], {"lokalId": ["skred.1"]})
    write_layer(path, "kulturminne", [box(100, 600, 110, 610)], {"lokalId": ["km.1"]})
    write_layer(
        path,
        "veg",
        [line((0, 300), (880, 300)), line((900, 0), (900, 1000))],
        {"lokalId": ["veg.1", "veg.2"], "vegkategori": ["K", "F"]},
    )
    write_layer(
        path,
        "byggegrense",
        [line((0, 285), (880, 285))],
        {"lokalId": ["bg.1"], "juridisklinje": [1211]},
    )
    write_layer(
        path,
        "teig",
        [box(380, 380, 440, 440), box(440, 380, 500, 440)],
        {"lokalId": ["teig.1", "teig.2"], "matrikkelnummer": ["3/118", "3/119"]},
    )
    return tmp_path


def settings(**overrides: Any) -> MapDataSettings:
    """Every dataset of the map_dir fixture, kommune CRS EPSG:25832."""
    datasets = [
        dataset(DatasetKind.land_use, "plan", attribute="arealformål"),
        dataset(DatasetKind.shoreline, "strand"),
        dataset(DatasetKind.flood_zone, "flom"),
        dataset(DatasetKind.landslide_zone, "skred"),
        dataset(DatasetKind.heritage, "kulturminne", buffer_m=5.0),
        dataset(DatasetKind.road, "veg", attribute="vegkategori"),
        dataset(DatasetKind.building_line, "byggegrense", where="juridisklinje = 1211"),
        dataset(DatasetKind.cadastre, "teig", attribute="matrikkelnummer"),
    ]
    data: dict[str, Any] = {"crs": "EPSG:25832", "datasets": datasets, **overrides}
    return MapDataSettings.model_validate(data)
