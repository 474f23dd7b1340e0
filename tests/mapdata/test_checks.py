"""The map checks on real shapes: inside, outside, on the line, within a buffer, transformed
coordinates, a footprint across two plan purposes, building lines, the cadastre boundary,
and never a silent assumption (no dataset, outside coverage, data too old)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from runner.mapdata import DatasetKind, kommune_layers, map_facts_for, transform
from runner.models.common import Verification
from runner.models.geometry import Position
from runner.models.mapfacts import MapFacts
from tests.mapdata.conftest import TODAY, at, box, settings


def position(footprint: shapely.Polygon, crs: str = "EPSG:25832") -> Position:
    ring = [list(point) for point in footprint.exterior.coords]
    centre = footprint.centroid
    return Position.model_validate(
        {
            "crs": crs,
            "x": centre.x,
            "y": centre.y,
            "footprint": {"type": "Polygon", "coordinates": [ring]},
        }
    )


def facts_at(
    map_dir: Path, footprint: shapely.Polygon, crs: str = "EPSG:25832"
) -> tuple[MapFacts, list[Verification]]:
    config = settings()
    layers = kommune_layers(config, map_dir)
    return map_facts_for(
        position(footprint, crs), layers, config, today=TODAY, property_number="3/118"
    )


def test_clear_garage_gets_every_fact_with_its_dataset_date_and_feature(map_dir: Path) -> None:
    facts, verified = facts_at(map_dir, box(400, 400, 408, 406))
    assert facts.land_use_codes == [1110]
    assert facts.shoreline_distance_m == 300.0
    assert facts.in_flood_zone is False
    assert facts.in_landslide_zone is False
    assert facts.in_heritage_zone is False
    assert facts.road_class == "kommunal_veg"
    assert facts.road_distance_m == 100.0
    assert facts.boundary_distance_m == 20.0  # parcel 380..440: 20 m west and south
    assert facts.unresolved == {}
    by_fact = {item.fact: item for item in verified}
    flood = by_fact["map_facts.in_flood_zone"]
    assert flood.source.value == "kartdata"
    assert "flom" in flood.reference and "2026-06-01" in flood.reference
    assert "objekt plan.1" in by_fact["map_facts.land_use_codes"].reference
    assert "objekt teig.1" in by_fact["map_facts.boundary_distance_m"].reference


def test_inside_the_flood_zone(map_dir: Path) -> None:
    facts, verified = facts_at(map_dir, box(240, 440, 250, 450))
    assert facts.in_flood_zone is True
    reference = next(v.reference for v in verified if v.fact == "map_facts.in_flood_zone")
    assert "objekt flom.1" in reference


def test_touching_the_flood_zone_on_its_line_counts_as_inside(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(300, 440, 310, 450))  # west edge on the zone's east edge
    assert facts.in_flood_zone is True


def test_a_centimetre_outside_the_flood_zone(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(300.01, 440, 310, 450))
    assert facts.in_flood_zone is False


def test_within_the_heritage_safety_zone_buffer_and_just_outside_it(map_dir: Path) -> None:
    inside, _ = facts_at(map_dir, box(114, 600, 120, 606))  # 4 m from the site, buffer 5 m
    outside, _ = facts_at(map_dir, box(116, 600, 122, 606))  # 6 m
    assert inside.in_heritage_zone is True
    assert outside.in_heritage_zone is False


def test_a_footprint_across_two_plan_purposes_has_both_codes(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(495, 600, 505, 606))
    assert facts.land_use_codes == [1110, 5100]


def test_a_footprint_touching_the_neighbouring_purpose_stands_in_one(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(490, 600, 500, 606))
    assert facts.land_use_codes == [1110]


def test_a_position_in_epsg_4258_is_transformed_to_the_kommune_crs(map_dir: Path) -> None:
    to_geographic = Transformer.from_crs("EPSG:25832", "EPSG:4258", always_xy=True)
    local = box(240, 440, 250, 450)
    geographic = shapely.transform(
        local, lambda xy: np.column_stack(to_geographic.transform(xy[:, 0], xy[:, 1]))
    )
    facts, _ = facts_at(map_dir, geographic, crs="EPSG:4258")
    assert facts.in_flood_zone is True
    assert facts.shoreline_distance_m == pytest.approx(340.0, abs=0.05)


def test_a_dataset_stored_in_another_utm_zone_is_transformed(tmp_path: Path) -> None:
    from tests.mapdata.conftest import dataset, write_layer

    zone = box(200, 400, 300, 500)
    in_33 = transform(zone, "EPSG:25832", "EPSG:25833")
    path = tmp_path / "kart.gpkg"
    write_layer(
        path,
        "dekning",
        [transform(box(0, 0, 1000, 1000), "EPSG:25832", "EPSG:25833")],
        {"navn": ["x"]},
        crs="EPSG:25833",
    )
    write_layer(path, "flom", [in_33], {"lokalId": ["flom.33"]}, crs="EPSG:25833")
    config = settings(datasets=[dataset(DatasetKind.flood_zone, "flom")])
    layers = kommune_layers(config, tmp_path)
    assert shapely.equals_exact(
        layers[DatasetKind.flood_zone].geometries[0].normalize(), zone.normalize(), tolerance=0.01
    )
    inside, _ = map_facts_for(
        position(box(240, 440, 250, 450)), layers, config, today=TODAY, property_number=None
    )
    outside, _ = map_facts_for(
        position(box(310, 440, 320, 450)), layers, config, today=TODAY, property_number=None
    )
    assert inside.in_flood_zone is True and outside.in_flood_zone is False


def test_building_lines_behind_crossing_and_none(map_dir: Path) -> None:
    behind, _ = facts_at(map_dir, box(400, 250, 408, 256))  # line y=285 between it and the road
    crossing, _ = facts_at(map_dir, box(400, 280, 408, 290))
    in_front, _ = facts_at(map_dir, box(400, 290, 404, 294))  # between the line and the road
    assert behind.road_building_line == "bak"
    assert crossing.road_building_line == "krysser"
    assert in_front.road_building_line == "ingen"
    assert in_front.road_distance_m == pytest.approx(6.0)


def test_the_fylkesveg_is_nearest_near_its_centre_line(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(860, 600, 870, 606))
    assert facts.road_class == "fylkesveg"
    assert facts.road_distance_m == 30.0


def test_no_dataset_of_a_kind_is_uavklart_with_the_reason(map_dir: Path) -> None:
    config = settings()
    without_flood = config.model_copy(
        update={"datasets": [d for d in config.datasets if d.kind != DatasetKind.flood_zone]}
    )
    layers = kommune_layers(without_flood, map_dir)
    facts, verified = map_facts_for(
        position(box(240, 440, 250, 450)),
        layers,
        without_flood,
        today=TODAY,
        property_number="3/118",
    )
    assert facts.in_flood_zone is None
    assert facts.unresolved["in_flood_zone"].code == "mangler_datasett"
    assert "flomsoner" in facts.unresolved["in_flood_zone"].nb
    assert "flaumsoner" in facts.unresolved["in_flood_zone"].nn
    assert "map_facts.in_flood_zone" not in {item.fact for item in verified}


def test_a_position_outside_the_coverage_is_uavklart(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(995, 600, 1005, 606))
    assert facts.in_flood_zone is None
    assert facts.unresolved["in_flood_zone"].code == "utenfor_dekning"


def test_data_older_than_the_kommune_allows_are_not_used(map_dir: Path) -> None:
    config = settings(max_age_days=30)
    layers = kommune_layers(config, map_dir)
    facts, verified = map_facts_for(
        position(box(400, 400, 408, 406)),
        layers,
        config,
        today=date(2026, 9, 21),
        property_number="3/118",
    )
    assert facts.land_use_codes is None
    assert facts.unresolved["land_use_codes"].code == "for_gamle_data"
    assert "2026-06-01" in facts.unresolved["land_use_codes"].nb
    assert verified == []


def test_no_position_makes_every_fact_uavklart(map_dir: Path) -> None:
    config = settings()
    facts, verified = map_facts_for(
        None, kommune_layers(config, map_dir), config, today=TODAY, property_number=None
    )
    assert verified == []
    assert {reason.code for reason in facts.unresolved.values()} == {"mangler_posisjon"}
    assert len(facts.unresolved) == 10


def test_a_position_on_another_property_has_no_boundary_distance(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(450, 400, 458, 406))  # on 3/119
    assert facts.boundary_distance_m is None
    assert facts.unresolved["boundary_distance_m"].code == "annen_eiendom"


def test_a_footprint_over_the_boundary_is_zero_metres_from_it(map_dir: Path) -> None:
    facts, _ = facts_at(map_dir, box(378, 400, 386, 406))  # 2 m over the west boundary
    assert facts.boundary_distance_m == 0.0


def test_the_sosi_plan_gml_fixture_is_read_by_the_same_readers() -> None:
    fixtures = Path(__file__).parent / "fixtures"
    from tests.mapdata.conftest import dataset

    config = settings(
        datasets=[
            dataset(
                DatasetKind.land_use,
                "RpArealformålOmråde",
                id="plan",
                path="reguleringsplan.gml",
                attribute="arealformål",
                coverage_layer=None,
            ),
            dataset(
                DatasetKind.flood_zone,
                "RpFareSone",
                id="fare",
                path="reguleringsplan.gml",
                where="fare = 320",
                coverage_layer=None,
            ),
            dataset(
                DatasetKind.building_line,
                "RpJuridiskLinje",
                id="linje",
                path="reguleringsplan.gml",
                where="juridisklinje = 1211",
                coverage_layer=None,
            ),
        ]
    )
    layers = kommune_layers(config, fixtures)
    assert layers[DatasetKind.land_use].ids == ["4627-rpaf-1", "4627-rpaf-2"]
    assert layers[DatasetKind.land_use].values == ["1110", "5100"]
    facts, _ = map_facts_for(
        position(box(95, 30, 105, 40)), layers, config, today=TODAY, property_number=None
    )
    assert facts.land_use_codes == [1110, 5100]
    # without a coverage layer a dataset covers the bounding box of its features only
    assert facts.unresolved["in_flood_zone"].code == "utenfor_dekning"
    in_zone, _ = map_facts_for(
        position(box(40, 30, 50, 40)), layers, config, today=TODAY, property_number=None
    )
    assert in_zone.in_flood_zone is True
    assert in_zone.land_use_codes == [1110]
    assert not list(fixtures.glob("*.gfs"))  # reading wrote no schema file beside it
    assert at(0, 0) == (285_000.0, 6_710_000.0)


def test_a_road_category_the_settings_do_not_know_is_uavklart(map_dir: Path) -> None:
    config = settings()
    datasets = [
        d.model_copy(update={"road_classes": {"F": "fylkesveg"}})
        if d.kind == DatasetKind.road
        else d
        for d in config.datasets
    ]
    config = config.model_copy(update={"datasets": datasets})
    facts, _ = map_facts_for(
        position(box(400, 400, 408, 406)),
        kommune_layers(config, map_dir),
        config,
        today=TODAY,
        property_number="3/118",
    )
    assert facts.road_class is None
    assert "road_classes" in facts.unresolved["road_class"].nb
