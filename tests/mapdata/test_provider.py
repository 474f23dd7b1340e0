"""The facts step end to end: a case with a position gets its map facts and their provenance
as verified facts (source kartdata), and the byggesak rules read them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from runner.mapdata import add_map_facts, kommune_layers
from runner.models.byggesak import ByggesakCase
from runner.rules import RuleSetCatalog, evaluate
from tests.mapdata.conftest import TODAY, box, settings

ROOT = Path(__file__).resolve().parents[2]


def garage(footprint_box: tuple[float, float, float, float], **extra: object) -> ByggesakCase:
    case = json.loads((ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000192.json").read_text())
    footprint = box(*footprint_box)
    ring = [list(point) for point in footprint.exterior.coords]
    case["position"] = {
        "crs": "EPSG:25832",
        "x": footprint.centroid.x,
        "y": footprint.centroid.y,
        "footprint": {"type": "Polygon", "coordinates": [ring]},
    }
    case["property"].update({"gnr": 3, "bnr": 118})
    case["measure"]["distance_to_boundary_m"] = 20.0
    case.update(extra)
    return ByggesakCase.model_validate(case)


def with_map_facts(case: ByggesakCase, map_dir: Path) -> ByggesakCase:
    """The case with the map facts of the test kommune's datasets in `map_dir`."""
    config = settings()
    found = add_map_facts(case, config, kommune_layers(config, map_dir), today=TODAY)
    assert isinstance(found, ByggesakCase)
    return found


def rules_of(case: ByggesakCase) -> dict[str, str]:
    rule_set = RuleSetCatalog.load(ROOT / "rules").get("byggesak-smatiltak", case.case_date())
    evaluation = evaluate(rule_set, case)
    return {result.rule_id: result.outcome.value for result in evaluation.results}


def test_a_clear_garage_is_verified_by_the_map_and_its_map_rules_hold(map_dir: Path) -> None:
    case = with_map_facts(garage((400, 400, 408, 406)), map_dir)
    assert isinstance(case, ByggesakCase)
    assert case.map_facts is not None and case.map_facts.in_flood_zone is False
    sources = {item.fact: item for item in case.verified if item.fact.startswith("map_facts.")}
    assert sources["map_facts.in_flood_zone"].verified_on == TODAY
    outcomes = rules_of(case)
    assert outcomes["kart_faresone"] == "oppfylt"
    assert outcomes["kart_strandsone"] == "oppfylt"
    assert outcomes["kart_nabogrense"] == "oppfylt"
    assert outcomes["kartkontroll"] == "oppfylt"


def test_a_garage_in_the_flood_zone_is_for_a_person(map_dir: Path) -> None:
    case = with_map_facts(garage((240, 440, 250, 450)), map_dir)
    outcomes = rules_of(case)
    assert outcomes["kart_faresone"] == "ikke_oppfylt"
    # it stands on no property of the cadastre's named 3/118 either: that is left open
    assert outcomes["kart_nabogrense"] == "uavklart"
    assert outcomes["kartkontroll"] == "uavklart"


def test_map_facts_the_sender_wrote_are_replaced_by_the_kommunes_own(map_dir: Path) -> None:
    claimed = garage(
        (240, 440, 250, 450),
        map_facts={"in_flood_zone": False},
        verified=[{"fact": "map_facts.in_flood_zone", "source": "kartdata", "reference": "x"}],
    )
    case = with_map_facts(claimed, map_dir)
    assert isinstance(case, ByggesakCase)
    assert case.map_facts is not None and case.map_facts.in_flood_zone is True
    assert [v.reference for v in case.verified if v.fact == "map_facts.in_flood_zone"] != ["x"]


def test_without_map_data_every_map_rule_is_uavklart_not_quarantined(tmp_path: Path) -> None:
    layers = kommune_layers(None, tmp_path)
    case = add_map_facts(garage((400, 400, 408, 406)), None, layers, today=date(2026, 9, 21))
    assert isinstance(case, ByggesakCase)
    assert case.map_facts is not None
    assert case.map_facts.unresolved["in_flood_zone"].code == "mangler_datasett"
    outcomes = rules_of(case)
    assert outcomes["kart_faresone"] == "uavklart"
    assert outcomes["kartkontroll"] == "uavklart"


@pytest.mark.parametrize(
    ("position", "words"),
    [
        ({"crs": "EPSG:25832", "x": 6710000, "y": 285000}, "byttet om"),
        ({"crs": "EPSG:4258", "x": 60.4, "y": 5.2}, "byttet om"),
        ({"crs": "EPSG:3857", "x": 1, "y": 2}, "crs"),
        (
            {
                "crs": "EPSG:25832",
                "x": 285005,
                "y": 6710005,
                "footprint": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [285000, 6710000],
                            [285010, 6710010],
                            [285010, 6710000],
                            [285000, 6710010],
                            [285000, 6710000],
                        ]
                    ],
                },
            },
            "gyldig polygon",
        ),
        (
            {
                "crs": "EPSG:25832",
                "x": 285005,
                "y": 6710005,
                "footprint": {
                    "type": "Polygon",
                    "coordinates": [
                        [[285000, 6710000], [285010, 6710000], [285010, 6710010], [285000, 6710010]]
                    ],
                },
            },
            "lukket",
        ),
        (
            {
                "crs": "EPSG:25832",
                "x": 286005,
                "y": 6710005,
                "footprint": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [285000, 6710000],
                            [285010, 6710000],
                            [285010, 6710010],
                            [285000, 6710010],
                            [285000, 6710000],
                        ]
                    ],
                },
            },
            "langt fra fotavtrykket",
        ),
    ],
)
def test_a_wrong_position_is_refused_with_what_to_check(
    position: dict[str, object], words: str
) -> None:
    case = json.loads((ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000192.json").read_text())
    case["position"] = position
    with pytest.raises(ValidationError) as raised:
        ByggesakCase.model_validate(case)
    assert words in str(raised.value)


def test_a_case_without_position_is_still_valid() -> None:
    case = json.loads((ROOT / "demo" / "inbox" / "byggesak" / "BS-2026-000192.json").read_text())
    del case["position"]
    assert ByggesakCase.model_validate(case).position is None


def _own(count: int) -> list[dict[str, str]]:
    return [{"fact": f"plan.fact_{i}", "source": "register"} for i in range(count)]


def test_a_sender_at_its_limit_still_gets_every_map_fact(map_dir: Path) -> None:
    """The sender's own verified facts count against their limit of 100; the map's entries
    come besides them, so a full list is never refused for what the kommune added."""
    case = with_map_facts(garage((400, 400, 408, 406), verified=_own(100)), map_dir)
    assert isinstance(case, ByggesakCase)
    mapped = [item for item in case.verified if item.fact.startswith("map_facts.")]
    assert len(case.verified) == 100 + len(mapped) and mapped
    assert len(mapped) <= len(type(case.map_facts).model_fields)
    # As stored and read back (a resumed evaluate step validates the stored case again).
    again = ByggesakCase.model_validate(case.model_dump(mode="json"))
    assert again.verified == case.verified


def test_more_than_100_own_verified_facts_are_refused() -> None:
    with pytest.raises(ValidationError, match="høyst 100 verifiserte fakta"):
        garage((400, 400, 408, 406), verified=_own(101))
