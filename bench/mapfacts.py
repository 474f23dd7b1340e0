"""Benchmark: the map checks for one case against datasets of 100,000 features each.

Usage: .venv/bin/python bench/mapfacts.py [--features 100000] [--cases 2000] [--json]
Writes one synthetic GeoPackage (in a temporary folder) with a layer of `--features`
features for each of the eight dataset kinds (plan areas, shoreline pieces, flood and
landslide zones, heritage sites, road pieces, building lines, parcels) spread over a
40 × 40 km kommune, loads them as the facts step does (pyogrio → shapely → STRtree, in the
kommune's CRS) and prints: the time to load them, the memory they take (how much the
process's resident memory grew by loading them, and its peak), and the time of all the
checks for one case (`read_map`: every map fact with its provenance), median and
95th percentile over `--cases` random footprints, and the same with the footprint given in
EPSG:4258 (transformed first). Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.mapdata import (  # noqa: E402
    DatasetKind,
    MapDataSettings,
    kommune_layers,
    read_map,
    transform,
)

X0, Y0, SIDE = 280_000.0, 6_700_000.0, 40_000.0
CRS = "EPSG:25832"


def _features(
    kind: DatasetKind, count: int, rng: np.random.Generator
) -> tuple[Any, dict[str, Any]]:
    x = X0 + rng.random(count) * SIDE
    y = Y0 + rng.random(count) * SIDE
    if kind in (DatasetKind.shoreline, DatasetKind.road, DatasetKind.building_line):
        angle = rng.random(count) * np.pi
        length = 20 + rng.random(count) * 80
        coords = np.stack(
            [x, y, x + np.cos(angle) * length, y + np.sin(angle) * length], axis=1
        ).reshape(count, 2, 2)
        geometries = shapely.linestrings(coords)
    else:
        size = {DatasetKind.land_use: 120.0, DatasetKind.cadastre: 60.0}.get(kind, 40.0)
        half = size / 2 * (0.5 + rng.random(count))
        geometries = shapely.box(x - half, y - half, x + half, y + half)
    fields: dict[str, Any] = {"lokalId": np.array([f"{kind.value}.{i}" for i in range(count)])}
    if kind == DatasetKind.land_use:
        fields["arealformål"] = rng.choice([1110, 1111, 5100, 2011], count)
    if kind == DatasetKind.road:
        fields["vegkategori"] = rng.choice(["K", "F", "R", "P"], count)
    if kind == DatasetKind.cadastre:
        fields["matrikkelnummer"] = np.array(
            [f"{i // 1000 + 1}/{i % 1000 + 1}" for i in range(count)]
        )
    return geometries, fields


def write_datasets(folder: Path, count: int) -> MapDataSettings:
    rng = np.random.default_rng(4627)
    path = folder / "bench.gpkg"
    datasets = []
    attributes = {
        DatasetKind.land_use: "arealformål",
        DatasetKind.road: "vegkategori",
        DatasetKind.cadastre: "matrikkelnummer",
    }
    for kind in DatasetKind:
        geometries, fields = _features(kind, count, rng)
        names = list(fields)
        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(geometries),
            field_data=[fields[name] for name in names],
            fields=names,
            layer=kind.value,
            driver="GPKG",
            crs=CRS,
            geometry_type="Unknown",
            append=path.exists(),
        )
        datasets.append(
            {
                "id": kind.value.replace("_", "-"),
                "kind": kind,
                "title": {"nb": kind.value, "nn": kind.value},
                "path": path.name,
                "layer": kind.value,
                "dated": "2026-06-01",
                "id_attribute": "lokalId",
                "attribute": attributes.get(kind),
            }
        )
    return MapDataSettings.model_validate({"crs": CRS, "datasets": datasets})


def _rss_mb() -> float:
    """The process's resident memory now, in MB (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        settings = write_datasets(folder, args.features)
        written = time.perf_counter() - started
        before = _rss_mb()
        started = time.perf_counter()
        layers = kommune_layers(settings, folder)
        load_seconds = time.perf_counter() - started
        loaded_mb = _rss_mb() - before
        rng = random.Random(18)
        footprints = []
        for _ in range(args.cases):
            x = X0 + 1000 + rng.random() * (SIDE - 2000)
            y = Y0 + 1000 + rng.random() * (SIDE - 2000)
            side = 4 + rng.random() * 6
            footprints.append(shapely.box(x, y, x + side, y + side))
        today = date(2026, 9, 21)

        def timed(shapes: list[Any], crs: str) -> list[float]:
            read_map(shapes[0], crs, layers, settings, today=today, property_number="1/1")
            times = []
            for shape in shapes:
                begin = time.perf_counter()
                read_map(shape, crs, layers, settings, today=today, property_number="1/1")
                times.append(time.perf_counter() - begin)
            return times

        utm = timed(footprints, CRS)
        geographic = timed(
            [transform(shape, CRS, "EPSG:4258") for shape in footprints], "EPSG:4258"
        )
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "features_per_dataset": args.features,
        "datasets": len(settings.datasets),
        "write_seconds": round(written, 2),
        "load_seconds": round(load_seconds, 2),
        "load_memory_mb": round(loaded_mb, 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
        "case_ms_median": round(statistics.median(utm) * 1000, 3),
        "case_ms_p95": round(sorted(utm)[int(len(utm) * 0.95)] * 1000, 3),
        "case_ms_median_epsg4258": round(statistics.median(geographic) * 1000, 3),
        "cases": args.cases,
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"map checks: {args.features:,} features × {len(settings.datasets)} datasets")
    print(f"  load (pyogrio → shapely → STRtree): {result['load_seconds']} s")
    print(
        f"  memory of the loaded datasets: {result['load_memory_mb']} MB resident; "
        f"peak RSS {result['peak_rss_mb']} MB"
    )
    print(
        f"  all checks for one case: median {result['case_ms_median']} ms, "
        f"p95 {result['case_ms_p95']} ms; from EPSG:4258 {result['case_ms_median_epsg4258']} ms"
    )


if __name__ == "__main__":
    main()
