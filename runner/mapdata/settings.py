"""A kommune's map data: which datasets it holds, what each one means, and how old they may be.

Part of a kommune's settings (`[kommune.map_data]`); the datasets' files are found under the
deployment's `map_dir`. See docs/mapdata.md.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DEFAULT_ROAD_CLASSES", "DatasetKind", "MapDataSettings", "MapDataset", "MapTitle"]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DatasetKind(StrEnum):
    """What a dataset tells the robot."""

    land_use = "land_use"  # plan areas with their arealformål code (RpArealformålOmråde)
    shoreline = "shoreline"  # the sea's shoreline at ordinary high water (lines or areas)
    flood_zone = "flood_zone"  # flood hazard zones (NVE flomsoner, hensynssone 320)
    landslide_zone = "landslide_zone"  # landslide hazard zones (NVE skredfaresoner, 310)
    heritage = "heritage"  # protected heritage sites and their safety zones
    road = "road"  # road centre lines with their category
    building_line = "building_line"  # the plans' building lines (RpByggeGrense)
    cadastre = "cadastre"  # property boundaries (matrikkel teiger) with gnr/bnr


#: SOSI vegkategori → road class (vegloven § 1: public roads are riks-, fylkes- and
#: kommunale veger; E-roads are riksveger).
DEFAULT_ROAD_CLASSES: dict[str, str] = {
    "E": "riksveg",
    "R": "riksveg",
    "F": "fylkesveg",
    "K": "kommunal_veg",
    "G": "gang_sykkelveg",
    "P": "privat_veg",
    "S": "privat_veg",
}


class MapTitle(_Section):
    """A dataset's name in bokmål and nynorsk."""

    nb: str = Field(min_length=1)
    nn: str = Field(min_length=1)


class MapDataset(_Section):
    """One dataset: a layer of a GeoPackage, GeoJSON or GML file."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,40}$")]
    kind: DatasetKind
    title: MapTitle
    path: Path = Field(description="The file, relative to the deployment's map_dir")
    layer: str | None = Field(default=None, description="Layer in the file (default: the first)")
    dated: date = Field(description="The date the data describe (from the supplier)")
    attribute: str | None = Field(
        default=None,
        description="The attribute to read: the arealformål code (land_use), the road "
        "category (road), the matrikkel number gnr/bnr (cadastre)",
    )
    id_attribute: str | None = Field(
        default=None, description="The feature's id (e.g. lokalId); default: the file's row id"
    )
    where: str | None = Field(
        default=None,
        description="An OGR SQL filter on the layer, e.g. \"hensynSone = '320'\"",
    )
    buffer_m: float = Field(
        default=0.0,
        ge=0,
        le=1000,
        description="Grow each feature by this much (e.g. 5 m: the automatic safety zone of "
        "kulturminneloven § 6 where the data hold the site only)",
    )
    coverage_layer: str | None = Field(
        default=None,
        description="A layer in the same file with the area the dataset covers; default: the "
        "bounding box of its features",
    )
    road_classes: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_ROAD_CLASSES),
        description="Road category value → riksveg, fylkesveg, kommunal_veg, gang_sykkelveg "
        "or privat_veg",
    )

    @model_validator(mode="after")
    def _needs_attribute(self) -> MapDataset:
        needed = {DatasetKind.land_use, DatasetKind.road, DatasetKind.cadastre}
        if self.kind in needed and not self.attribute:
            raise ValueError(f"a {self.kind.value} dataset needs `attribute` (the field to read)")
        allowed = {"riksveg", "fylkesveg", "kommunal_veg", "gang_sykkelveg", "privat_veg"}
        wrong = sorted(set(self.road_classes.values()) - allowed)
        if wrong:
            raise ValueError(f"unknown road class {wrong}; use one of {sorted(allowed)}")
        return self


class MapDataSettings(_Section):
    """The kommune's map data for the facts step."""

    crs: Literal["EPSG:25832", "EPSG:25833", "EPSG:25835"] = Field(
        default="EPSG:25833",
        description="The CRS distances are measured in: the kommune's own UTM zone",
    )
    max_age_days: int = Field(
        default=365,
        ge=1,
        description="Data older than this (from `dated` to the day of the check) are not used",
    )
    datasets: list[MapDataset] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> MapDataSettings:
        ids = [dataset.id for dataset in self.datasets]
        twice = sorted({item for item in ids if ids.count(item) > 1})
        if twice:
            raise ValueError(f"dataset id {twice} is used twice; give each dataset its own id")
        kinds = [dataset.kind for dataset in self.datasets]
        doubled = sorted({kind.value for kind in kinds if kinds.count(kind) > 1})
        if doubled:
            raise ValueError(
                f"more than one dataset of kind {doubled}; merge them into one file or layer"
            )
        return self

    def dataset(self, kind: DatasetKind) -> MapDataset | None:
        """The dataset of `kind`, if the kommune has one."""
        return next((item for item in self.datasets if item.kind == kind), None)
