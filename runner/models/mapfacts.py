"""Facts read from the kommune's map data (the facts step): land use, shoreline, hazard and
heritage zones, roads, building lines and the cadastre boundary at the measure's position.

Each fact is null when it could not be read; `unresolved` then says why, in bokmål and
nynorsk. Where a fact came from (dataset, its date, the feature) is in the case's
`verified` list with source `kartdata`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from runner.models.common import FrozenModel, ShortText

Distance = Annotated[float, Field(ge=0, le=100_000)]

#: Where the measure stands relative to a plan's building line (byggegrense) towards a road
#: or the sea: `krysser` (the footprint touches or crosses it), `bak` (the line lies between
#: the measure and the road or sea), `ingen` (no plan line between them: the law's own
#: distance applies).
BuildingLine = Literal["krysser", "bak", "ingen"]

#: Public road categories (vegloven § 1), `privat_veg`, or `ingen` (no road within reach).
RoadClass = Literal["riksveg", "fylkesveg", "kommunal_veg", "gang_sykkelveg", "privat_veg", "ingen"]


#: Why a map fact could not be read: no position in the case, no dataset of that kind, data
#: older than the kommune allows, a position outside the data's coverage, no feature to
#: measure against, a position on another property than the case's.
ReasonCode = Literal[
    "mangler_posisjon",
    "mangler_datasett",
    "for_gamle_data",
    "utenfor_dekning",
    "ingen_treff",
    "annen_eiendom",
]


class MapReason(FrozenModel):
    """Why a map fact could not be read: its code, and the full reason in bokmål and nynorsk."""

    code: ReasonCode
    nb: ShortText
    nn: ShortText


class MapFacts(FrozenModel):
    """What the kommune's map data say about the measure's position."""

    #: Land-use purpose codes (arealformål, SOSI plan codes) of every plan area the
    #: footprint touches, ascending.
    land_use_codes: Annotated[list[int], Field(max_length=20)] | None = None
    #: Horizontal distance from the footprint to the shoreline (sea, ordinary high water).
    shoreline_distance_m: Distance | None = None
    shore_building_line: BuildingLine | None = None
    in_flood_zone: bool | None = None
    in_landslide_zone: bool | None = None
    #: The footprint touches or lies within a protected heritage site or its safety zone.
    in_heritage_zone: bool | None = None
    road_class: RoadClass | None = None
    #: Horizontal distance from the footprint to the nearest road's centre line.
    road_distance_m: Distance | None = None
    road_building_line: BuildingLine | None = None
    #: Distance from the footprint to the property's boundary in the cadastre (matrikkel).
    boundary_distance_m: Distance | None = None
    #: Fact name → why it is null.
    unresolved: dict[str, MapReason] = Field(default_factory=dict)
