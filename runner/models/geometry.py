"""Where a measure stands: a point and an optional footprint polygon, in a Norwegian CRS."""

from __future__ import annotations

from typing import Annotated, Literal

import shapely
from pydantic import Field, model_validator

from runner.models.common import FrozenModel
from runner.problems import invalid

#: The coordinate systems a position may be given in: EUREF89 UTM zones 32, 33 and 35
#: (east, north in metres) and EUREF89 geographic (longitude, latitude in degrees).
Crs = Literal["EPSG:25832", "EPSG:25833", "EPSG:25835", "EPSG:4258"]

#: What a coordinate pair may be in each CRS: roughly mainland Norway with a margin, so a
#: swapped pair or a position in the wrong zone is caught at the door.
CRS_BOUNDS: dict[str, tuple[float, float, float, float]] = {
    "EPSG:25832": (-200_000.0, 6_350_000.0, 1_000_000.0, 8_000_000.0),
    "EPSG:25833": (-200_000.0, 6_350_000.0, 1_200_000.0, 8_000_000.0),
    "EPSG:25835": (-500_000.0, 7_000_000.0, 800_000.0, 8_000_000.0),
    "EPSG:4258": (3.0, 57.5, 32.0, 71.5),
}

Coordinate = tuple[float, float]
Ring = Annotated[list[Coordinate], Field(min_length=4, max_length=500)]


class Footprint(FrozenModel):
    """The measure's footprint as a GeoJSON Polygon (outer ring, optional holes)."""

    type: Literal["Polygon"]
    coordinates: Annotated[list[Ring], Field(min_length=1, max_length=10)]

    @model_validator(mode="after")
    def _valid_polygon(self) -> Footprint:
        for ring in self.coordinates:
            if ring[0] != ring[-1]:
                raise invalid("footprint_open")
        polygon = self.shape()
        if not polygon.is_valid:
            reason = shapely.is_valid_reason(polygon)
            raise invalid("footprint_invalid", reason=reason)
        return self

    def shape(self) -> shapely.Polygon:
        """The footprint as a shapely polygon (in the position's CRS)."""
        outer, *holes = self.coordinates
        return shapely.Polygon(outer, holes)


class Position(FrozenModel):
    """Where the measure stands: `x`, `y` (east and north, or longitude and latitude in
    EPSG:4258) and optionally its footprint, both in `crs`."""

    crs: Crs
    x: float
    y: float
    footprint: Footprint | None = None

    @model_validator(mode="after")
    def _inside_norway(self) -> Position:
        west, south, east, north = CRS_BOUNDS[self.crs]
        points = [(self.x, self.y)]
        if self.footprint is not None:
            points += [point for ring in self.footprint.coordinates for point in ring]
        for x, y in points:
            if not (west <= x <= east and south <= y <= north):
                degrees = self.crs == "EPSG:4258"
                key = "outside_norway_degrees" if degrees else "outside_norway_metres"
                raise invalid(key, x=x, y=y, crs=self.crs)
        if self.footprint is not None:
            polygon = self.footprint.shape()
            limit = 0.001 if self.crs == "EPSG:4258" else 100.0
            if polygon.distance(shapely.Point(self.x, self.y)) > limit:
                raise invalid("point_far_from_footprint")
        return self

    def shape(self) -> shapely.Geometry:
        """The footprint where there is one, else the point (in `crs`)."""
        if self.footprint is not None:
            return self.footprint.shape()
        return shapely.Point(self.x, self.y)
