"""Write the demo kommuner's synthetic map data to demo/kart/<kommunenummer>.gpkg.

Deterministic: the same layout every run (no randomness), laid out on a 2 × 2 km square per
kommune, in each kommune's own UTM zone. Field names follow the SOSI product
specifications where a real dataset has them (RpArealformålOmråde.arealformål,
RpJuridiskLinje.juridisklinje, RpFareSone.fare, identifikasjon lokalId, vegkategori), so the
readers take Geonorge's data the same way (see docs/mapdata.md):

    plan         land use: boligbebyggelse (1110) west, LNFR (5100) east
    strandlinje  the shoreline along the south edge (the sea below it)
    flomsone     a flood zone (fare 320) in the residential area
    skredsone    a landslide zone (fare 310) in the north
    kulturminne  a protected heritage site (its 5 m safety zone added by the settings)
    veg          a kommunal veg (K) and a fylkesveg (F)
    byggegrense  the plan's building line 15 m from the kommunal veg (juridisklinje 1211)
    teig         one property per demo case with a position, gnr/bnr as matrikkelnummer
    dekning      the area the data cover

Demo cases are placed with `place` (demo/generate.py): a free spot per case in the clear
part of the residential area, or a spot in the flood zone or in the 100-metre belt.

    .venv/bin/python demo/make_mapdata.py
"""

from __future__ import annotations

import json
import math
import sys
from datetime import date
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyogrio.raw
import shapely

HERE = Path(__file__).resolve().parent
KART = HERE / "kart"
INBOX = HERE / "inbox" / "byggesak"
#: The date the demo data describe.
DATED = date(2026, 6, 1)
#: Each demo kommune's CRS and the south-west corner of its demo square.
ORIGINS: dict[str, tuple[str, float, float]] = {
    "4627": ("EPSG:25832", 285_000.0, 6_710_000.0),  # Askøy
    "4601": ("EPSG:25832", 297_000.0, 6_695_000.0),  # Bergen
    "0301": ("EPSG:25833", 262_000.0, 6_648_000.0),  # Oslo
}
Spot = Literal["fri", "flomsone", "strandsone"]
#: Where a case on a special spot stands (local metres from the corner).
SPOTS: dict[str, tuple[float, float]] = {"flomsone": (380.0, 680.0), "strandsone": (400.0, 150.0)}


def _local(kommunenummer: str, geometry: shapely.Geometry) -> shapely.Geometry:
    _, x0, y0 = ORIGINS[kommunenummer]
    return shapely.affinity.translate(geometry, x0, y0)


def place(
    kommunenummer: str, slot: int, built_area_m2: float, boundary_m: float, spot: Spot = "fri"
) -> dict[str, Any]:
    """A `position` for a demo case: a square footprint of `built_area_m2` on a free slot
    (4 × 12 slots in the clear residential area) or on a special spot."""
    if spot == "fri":
        column, row = slot % 4, (slot // 4) % 12
        x, y = 530.0 + 80 * column, 260.0 + 80 * row
    else:
        x, y = SPOTS[spot]
    side = round(math.sqrt(max(built_area_m2, 4.0)), 2)
    footprint = _local(kommunenummer, shapely.box(x, y, x + side, y + side))
    crs = ORIGINS[kommunenummer][0]
    ring = [[round(px, 2), round(py, 2)] for px, py in footprint.exterior.coords]
    centre = footprint.centroid
    return {
        "crs": crs,
        "x": round(centre.x, 2),
        "y": round(centre.y, 2),
        "footprint": {"type": "Polygon", "coordinates": [ring]},
    }


#: An Askøy demo case on a free spot of the demo map data: its parcel is in `teig`.
CLEAR_SPOT_CASE = INBOX / "BS-2026-000122.json"


def on_clear_spot(case: dict[str, Any]) -> dict[str, Any]:
    """`case` (a byggesak case as JSON) placed where Askøy's demo map data find every map
    fact clear: the position, property and boundary distance of CLEAR_SPOT_CASE (for tests
    and benchmarks that run synthetic cases through the robot)."""
    spot = json.loads(CLEAR_SPOT_CASE.read_text(encoding="utf-8"))
    placed = {**case, "position": spot["position"]}
    placed["property"] = {
        **case["property"],
        "gnr": spot["property"]["gnr"],
        "bnr": spot["property"]["bnr"],
    }
    placed["measure"] = {
        **case["measure"],
        "distance_to_boundary_m": spot["measure"]["distance_to_boundary_m"],
    }
    return placed


def parcel_for(position: dict[str, Any], boundary_m: float) -> shapely.Polygon:
    """The property around a placed footprint: its west and south boundaries `boundary_m`
    from the footprint, 60 × 60 m."""
    ring = position["footprint"]["coordinates"][0]
    west = min(point[0] for point in ring) - boundary_m
    south = min(point[1] for point in ring) - boundary_m
    return shapely.box(west, south, west + 60.0, south + 60.0)


def layers(kommunenummer: str, cases: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each layer: geometries and fields (local layout moved to the kommune's corner)."""
    box = shapely.box

    def moved(items: list[shapely.Geometry]) -> list[shapely.Geometry]:
        return [_local(kommunenummer, item) for item in items]

    parcels = [
        (parcel_for(case["position"], case["measure"]["distance_to_boundary_m"]), case)
        for case in cases
        if case.get("position") and case["kommunenummer"] == kommunenummer
    ]
    prefix = f"demo.{kommunenummer}"
    return {
        "plan": {
            "geometry": moved([box(0, 0, 1000, 2000), box(1000, 0, 2000, 2000)]),
            "fields": {
                "lokalId": [f"{prefix}.plan.1", f"{prefix}.plan.2"],
                "arealformål": [1110, 5100],
                "feltnavn": ["B1", "LNFR1"],
            },
        },
        "strandlinje": {
            "geometry": moved([shapely.LineString([(0, 100), (2000, 100)])]),
            "fields": {"lokalId": [f"{prefix}.strand.1"]},
        },
        "flomsone": {
            "geometry": moved([box(300, 600, 500, 800)]),
            "fields": {"lokalId": [f"{prefix}.flom.1"], "fare": ["320"]},
        },
        "skredsone": {
            "geometry": moved([box(600, 1500, 800, 1700)]),
            "fields": {"lokalId": [f"{prefix}.skred.1"], "fare": ["310"]},
        },
        "kulturminne": {
            "geometry": moved([box(100, 1000, 120, 1020)]),
            "fields": {"lokalId": [f"{prefix}.kulturminne.1"]},
        },
        "veg": {
            "geometry": moved(
                [
                    shapely.LineString([(0, 1300), (2000, 1300)]),
                    shapely.LineString([(900, 100), (900, 2000)]),
                ]
            ),
            "fields": {
                "lokalId": [f"{prefix}.veg.1", f"{prefix}.veg.2"],
                "vegkategori": ["K", "F"],
            },
        },
        "byggegrense": {
            "geometry": moved([shapely.LineString([(0, 1285), (880, 1285)])]),
            "fields": {"lokalId": [f"{prefix}.byggegrense.1"], "juridisklinje": [1211]},
        },
        "teig": {
            "geometry": [parcel for parcel, _ in parcels],
            "fields": {
                "lokalId": [f"{prefix}.teig.{case['reference']}" for _, case in parcels],
                "matrikkelnummer": [
                    f"{case['property']['gnr']}/{case['property']['bnr']}" for _, case in parcels
                ],
            },
        },
        "dekning": {
            "geometry": moved([box(0, 0, 2000, 2000)]),
            "fields": {"navn": ["Demo-kartdata"]},
        },
    }


def write_gpkg(path: Path, kommunenummer: str, cases: list[dict[str, Any]]) -> None:
    """Write every layer of a kommune to one GeoPackage (replaced if there)."""
    path.unlink(missing_ok=True)
    crs = ORIGINS[kommunenummer][0]
    for name, layer in layers(kommunenummer, cases).items():
        fields = layer["fields"]
        names = list(fields)
        data = [np.asarray(fields[field]) for field in names]
        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(np.asarray(layer["geometry"], dtype=object)),
            field_data=data,
            fields=names,
            layer=name,
            driver="GPKG",
            crs=crs,
            geometry_type="Unknown",
            append=path.exists(),
        )


def demo_inbox_cases() -> list[dict[str, Any]]:
    """The demo byggesak cases as the inbox holds them."""
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(INBOX.glob("*.json"))]


def main() -> None:
    KART.mkdir(exist_ok=True)
    cases = demo_inbox_cases()
    for kommunenummer in ORIGINS:
        write_gpkg(KART / f"{kommunenummer}.gpkg", kommunenummer, cases)
    print(f"wrote {', '.join(sorted(p.name for p in KART.glob('*.gpkg')))} to {KART}")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
