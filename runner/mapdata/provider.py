"""The map-data fact provider: a byggesak case with a position gets its map facts, each with
its provenance (dataset, date, features) as a verified fact with source `kartdata`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner.mapdata.checks import MapReading, read_map
from runner.mapdata.layers import Layer, load_layer
from runner.mapdata.settings import DatasetKind, MapDataSettings
from runner.models.common import Verification, VerificationSource
from runner.models.mapfacts import MapFacts, MapReason

__all__ = ["MAP_FACT_PREFIX", "add_map_facts", "kommune_layers", "map_facts_for"]

#: Facts of the case the provider writes (and the verified entries it owns).
MAP_FACT_PREFIX = "map_facts"


def kommune_layers(settings: MapDataSettings | None, map_dir: Path) -> dict[DatasetKind, Layer]:
    """The kommune's datasets, loaded (once per file version) in its CRS."""
    if settings is None:
        return {}
    return {
        dataset.kind: load_layer(dataset, _under(map_dir, dataset.path), settings.crs)
        for dataset in settings.datasets
    }


def _under(root: Path, path: Path) -> Path:
    return path if path.is_absolute() else root / path


def map_facts_for(
    position: Any,
    layers: dict[DatasetKind, Layer],
    settings: MapDataSettings | None,
    *,
    today: date,
    property_number: str | None,
) -> tuple[MapFacts, list[Verification]]:
    """The map facts at `position` (a runner.models.geometry.Position, or None) and the
    verified entries naming where each came from."""
    if position is None:
        reason = MapReason(
            code="mangler_posisjon",
            nb="søknaden oppgir ikke hvor tiltaket skal stå (posisjon)",
            nn="søknaden oppgjev ikkje kvar tiltaket skal stå (posisjon)",
        )
        names = MapFacts.model_fields.keys() - {"unresolved"}
        return MapFacts(unresolved=dict.fromkeys(sorted(names), reason)), []
    reading = read_map(
        position.shape(),
        position.crs,
        layers,
        settings or MapDataSettings(),
        today=today,
        property_number=property_number,
    )
    return _facts(reading), _verified(reading, today)


def _facts(reading: MapReading) -> MapFacts:
    unresolved = {
        name: MapReason.model_validate({"code": code, "nb": nb, "nn": nn})
        for name, (code, nb, nn) in reading.unresolved.items()
    }
    return MapFacts.model_validate({**reading.facts, "unresolved": unresolved})


def _verified(reading: MapReading, today: date) -> list[Verification]:
    return [
        Verification(
            fact=f"{MAP_FACT_PREFIX}.{name}",
            source=VerificationSource.kartdata,
            reference="; ".join(source.reference() for source in sources)[:200],
            verified_on=today,
        )
        for name, sources in reading.sources.items()
    ]


def add_map_facts(
    case: BaseModel,
    settings: MapDataSettings | None,
    layers: dict[DatasetKind, Layer],
    *,
    today: date,
) -> BaseModel:
    """`case` with its map facts read anew from `layers` (the kommune's datasets as
    `kommune_layers` loaded them for these `settings`): what the case said about them before
    (facts and their verified entries) is replaced, since only the kommune's own data may
    verify them."""
    position = getattr(case, "position", None)
    prop = getattr(case, "property", None)
    number = f"{prop.gnr}/{prop.bnr}" if prop is not None else None
    facts, verified = map_facts_for(position, layers, settings, today=today, property_number=number)
    kept = [
        item
        for item in getattr(case, "verified", None) or []
        if item.fact != MAP_FACT_PREFIX and not item.fact.startswith(MAP_FACT_PREFIX + ".")
    ]
    # Both parts are validated already (MapFacts, Verification; the sender's own entries are
    # within their limit and the map adds at most one per map fact, which the model allows
    # besides): a copy with them, not a dump of the whole case validated again.
    return case.model_copy(update={"map_facts": facts, "verified": kept + verified})
