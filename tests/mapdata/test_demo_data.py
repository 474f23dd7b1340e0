"""The demo's map data (demo/kart, made by demo/make_mapdata.py) match the demo cases: one
parcel per placed case, the flood-zone and shoreline garages where the map stops them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyogrio.raw
import pytest

from runner.mapdata import add_map_facts, kommune_layers
from runner.models.byggesak import ByggesakCase
from runner.settings import CONTENT_ROOT, load_settings

INBOX = CONTENT_ROOT / "demo" / "inbox" / "byggesak"
KART = CONTENT_ROOT / "demo" / "kart"


@pytest.mark.parametrize("kommunenummer", ["4627", "4601", "0301"])
def test_every_placed_demo_case_has_its_parcel(kommunenummer: str) -> None:
    cases = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(INBOX.glob("*.json"))]
    placed = {
        f"demo.{kommunenummer}.teig.{case['reference']}": "{gnr}/{bnr}".format(**case["property"])
        for case in cases
        if case["kommunenummer"] == kommunenummer and case.get("position")
    }
    _, _, _, fields = pyogrio.raw.read(KART / f"{kommunenummer}.gpkg", layer="teig")
    assert dict(zip(fields[0], fields[1], strict=True)) == placed


@pytest.mark.parametrize(
    ("reference", "fact", "value"),
    [("BS-2026-000141", "in_flood_zone", True), ("BS-2026-000192", "shoreline_distance_m", 50.0)],
)
def test_the_demo_garages_in_the_flood_zone_and_the_belt(
    reference: str, fact: str, value: object, tmp_path: Path
) -> None:
    settings = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml", data_dir=tmp_path)
    case = ByggesakCase.model_validate_json((INBOX / f"{reference}.json").read_text())
    map_data = settings.kommune.map_data
    layers = kommune_layers(map_data, settings.map_dir)
    found = add_map_facts(case, map_data, layers, today=date(2026, 9, 21))
    assert isinstance(found, ByggesakCase) and found.map_facts is not None
    assert getattr(found.map_facts, fact) == value
    assert found.map_facts.unresolved == {}
