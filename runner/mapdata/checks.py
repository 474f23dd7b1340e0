"""The map checks for one position: each fact with the dataset, its date and the features that
decided it, or the reason it could not be read (never a silent assumption)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import shapely

from runner.mapdata.layers import Layer, transform
from runner.mapdata.settings import DatasetKind, MapDataSettings

__all__ = ["FactSource", "MapReading", "read_map"]

#: What a missing dataset is called in a reason, bokmål and nynorsk.
KIND_NAMES: dict[DatasetKind, tuple[str, str]] = {
    DatasetKind.land_use: ("arealplan (arealformål)", "arealplan (arealføremål)"),
    DatasetKind.shoreline: ("strandlinje", "strandline"),
    DatasetKind.flood_zone: ("flomsoner", "flaumsoner"),
    DatasetKind.landslide_zone: ("skredfaresoner", "skredfaresoner"),
    DatasetKind.heritage: ("kulturminner", "kulturminne"),
    DatasetKind.road: ("vegnett", "vegnett"),
    DatasetKind.building_line: ("byggegrenser i plan", "byggjegrenser i plan"),
    DatasetKind.cadastre: ("eiendomsgrenser (matrikkel)", "eigedomsgrenser (matrikkel)"),
}


@dataclass(frozen=True)
class FactSource:
    """Which dataset (and date) and which features a fact was read from."""

    dataset_id: str
    title: str
    dated: date
    features: tuple[str, ...]

    def reference(self) -> str:
        """One line for the case's `verified` list (at most 200 characters)."""
        if self.features:
            shown = ", ".join(self.features[:5])
            more = f" (+{len(self.features) - 5})" if len(self.features) > 5 else ""
            what = f"objekt {shown}{more}"
        else:
            what = "ingen objekt treffer"
        dated = self.dated.isoformat()
        return f"{self.title} (datasett {self.dataset_id}, datert {dated}): {what}"[:200]


@dataclass
class MapReading:
    """The facts read for one position, where each came from, and why some could not be."""

    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, list[FactSource]] = field(default_factory=dict)
    #: fact → (reason code, bokmål, nynorsk)
    unresolved: dict[str, tuple[str, str, str]] = field(default_factory=dict)


class _Unusable(Exception):
    def __init__(self, code: str, nb: str, nn: str) -> None:
        super().__init__(nb)
        self.code, self.nb, self.nn = code, nb, nn


def read_map(
    footprint: shapely.Geometry,
    crs: str,
    layers: Mapping[DatasetKind, Layer],
    settings: MapDataSettings,
    *,
    today: date,
    property_number: str | None = None,
) -> MapReading:
    """Every map fact for `footprint` (in `crs`), from the kommune's loaded `layers`.

    A fact whose dataset is missing, older than `settings.max_age_days`, or does not cover
    the position is left out, with its reason in `unresolved`.
    """
    shape = transform(footprint, crs, settings.crs)
    reading = MapReading()
    checks: dict[str, Callable[[Callable[[DatasetKind], Layer]], tuple[Any, list[FactSource]]]] = {
        "land_use_codes": lambda use: _land_use(shape, use(DatasetKind.land_use)),
        "shoreline_distance_m": lambda use: _distance(shape, use(DatasetKind.shoreline)),
        "shore_building_line": lambda use: _building_line(
            shape, use(DatasetKind.shoreline), use(DatasetKind.building_line)
        ),
        "in_flood_zone": lambda use: _inside(shape, use(DatasetKind.flood_zone)),
        "in_landslide_zone": lambda use: _inside(shape, use(DatasetKind.landslide_zone)),
        "in_heritage_zone": lambda use: _inside(shape, use(DatasetKind.heritage)),
        "road_class": lambda use: _road_class(shape, use(DatasetKind.road)),
        "road_distance_m": lambda use: _distance(shape, use(DatasetKind.road)),
        "road_building_line": lambda use: _building_line(
            shape, use(DatasetKind.road), use(DatasetKind.building_line)
        ),
        "boundary_distance_m": lambda use: _boundary(
            shape, use(DatasetKind.cadastre), property_number
        ),
    }
    oldest = today - timedelta(days=settings.max_age_days)

    def use(kind: DatasetKind) -> Layer:
        layer = layers.get(kind)
        nb, nn = KIND_NAMES[kind]
        if layer is None:
            raise _Unusable(
                "mangler_datasett",
                f"kommunen har ikke lagt inn kartdata for {nb}",
                f"kommunen har ikkje lagt inn kartdata for {nn}",
            )
        dataset = layer.dataset
        if dataset.dated < oldest:
            raise _Unusable(
                "for_gamle_data",
                f"{dataset.title.nb} er datert {dataset.dated}, eldre enn "
                f"{settings.max_age_days} dager",
                f"{dataset.title.nn} er datert {dataset.dated}, eldre enn "
                f"{settings.max_age_days} dagar",
            )
        if not shapely.covers(layer.coverage, shape):
            raise _Unusable(
                "utenfor_dekning",
                f"posisjonen ligger utenfor området {dataset.title.nb} dekker",
                f"posisjonen ligg utanfor området {dataset.title.nn} dekkjer",
            )
        return layer

    for name, check in checks.items():
        try:
            value, sources = check(use)
        except _Unusable as reason:
            reading.unresolved[name] = (reason.code, reason.nb, reason.nn)
            continue
        if value is None:
            reading.unresolved[name] = _no_answer(name)
            continue
        reading.facts[name] = value
        reading.sources[name] = sources
    return reading


def _no_answer(name: str) -> tuple[str, str, str]:
    if name == "land_use_codes":
        return (
            "ingen_treff",
            "ingen planområde dekker posisjonen",
            "inkje planområde dekkjer posisjonen",
        )
    if name == "road_class":
        return (
            "ingen_treff",
            "vegkategorien til nærmeste veg er ukjent (se road_classes i innstillingene)",
            "vegkategorien til næraste veg er ukjend (sjå road_classes i innstillingane)",
        )
    if name == "boundary_distance_m":
        return (
            "annen_eiendom",
            "posisjonen ligger ikke på eiendommen søknaden gjelder, etter matrikkelen",
            "posisjonen ligg ikkje på eigedommen søknaden gjeld, etter matrikkelen",
        )
    return (
        "ingen_treff",
        "kartdataene har ingen objekt å måle mot",
        "kartdataa har inkje objekt å måle mot",
    )


def _source(layer: Layer, indices: Any) -> FactSource:
    dataset = layer.dataset
    features = tuple(layer.ids[int(index)] for index in indices)
    return FactSource(dataset.id, dataset.title.nb, dataset.dated, features)


def _land_use(shape: shapely.Geometry, layer: Layer) -> tuple[Any, list[FactSource]]:
    hits = sorted(int(i) for i in layer.tree.query(shape, predicate="intersects"))
    # a footprint only touching a neighbouring area along its edge does not stand in it
    hits = [i for i in hits if not layer.geometries[i].touches(shape)]
    codes = sorted({int(code) for i in hits if (code := layer.values[i]) and code.isdigit()})
    return (codes or None), [_source(layer, hits)]


def _inside(shape: shapely.Geometry, layer: Layer) -> tuple[Any, list[FactSource]]:
    hits = sorted(int(i) for i in layer.tree.query(shape, predicate="intersects"))
    return bool(hits), [_source(layer, hits)]


def _nearest(shape: shapely.Geometry, layer: Layer) -> tuple[int, float] | None:
    if len(layer) == 0:
        return None
    indices, distances = layer.tree.query_nearest(shape, return_distance=True, all_matches=False)
    return int(indices[0]), float(distances[0])


def _distance(shape: shapely.Geometry, layer: Layer) -> tuple[Any, list[FactSource]]:
    found = _nearest(shape, layer)
    if found is None:
        return None, []
    index, distance = found
    return round(distance, 2), [_source(layer, [index])]


def _road_class(shape: shapely.Geometry, layer: Layer) -> tuple[Any, list[FactSource]]:
    found = _nearest(shape, layer)
    if found is None:
        return "ingen", [_source(layer, [])]
    index = found[0]
    category = layer.values[index]
    road_class = layer.dataset.road_classes.get(category or "")
    return road_class, [_source(layer, [index])]


def _building_line(
    shape: shapely.Geometry, target: Layer, lines: Layer
) -> tuple[Any, list[FactSource]]:
    """Where the measure stands relative to the plan's building lines towards `target`
    (the nearest road or the shoreline): crossing one, behind one, or with none between."""
    crossing = sorted(int(i) for i in lines.tree.query(shape, predicate="intersects"))
    if crossing:
        return "krysser", [_source(lines, crossing)]
    found = _nearest(shape, target)
    if found is None:
        return None, []
    index = found[0]
    segment = shapely.shortest_line(shape, target.geometries[index])
    between = sorted(int(i) for i in lines.tree.query(segment, predicate="intersects"))
    sources = [_source(target, [index]), _source(lines, between)]
    return ("bak" if between else "ingen"), sources


def _boundary(
    shape: shapely.Geometry, layer: Layer, property_number: str | None
) -> tuple[Any, list[FactSource]]:
    """Distance from the footprint to the boundary of the property it stands on, when that
    property is the one the case names (`gnr/bnr`)."""
    hits = [int(i) for i in layer.tree.query(shapely.centroid(shape), predicate="within")]
    if len(hits) != 1 or property_number is None or layer.values[hits[0]] != property_number:
        return None, [_source(layer, hits)]
    parcel = layer.geometries[hits[0]]
    distance = float(shapely.distance(shapely.boundary(parcel), shape))
    if not parcel.covers(shape):
        distance = 0.0  # the footprint reaches over the boundary
    return round(distance, 2), [_source(layer, hits)]
