"""Synthetic identities and byggesak cases: valid, varied within bounds, deterministic."""

from __future__ import annotations

import importlib.util
import json
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest.mock import ANY
from zoneinfo import ZoneInfo

import pytest
from stdnum.no import fodselsnummer, kontonr

import demo.synthetic
from demo.synthetic import (
    EXPECTED_OUTCOMES,
    PLACES,
    SAMI_FIRST_NAMES,
    SAMI_LAST_NAMES,
    SCENARIOS,
    byggesak_case,
    synthetic_fodselsnummer,
    synthetic_kontonummer,
    synthetic_person,
)
from runner.models.byggesak import ByggesakCase

EXAMPLE = Path("/work/shared/examples/byggesak-garasje.json")
DEMO = Path(__file__).resolve().parent.parent / "demo"
RECEIVED = datetime(2026, 9, 21, 14, 2, tzinfo=ZoneInfo("Europe/Oslo"))


def case(scenario: str, seed: int = 1, **options: Any) -> dict[str, Any]:
    options = {"reference": "BS-2026-000417", "received_at": RECEIVED, **options}
    return byggesak_case(random.Random(seed), scenario, **options)


def shape(data: object) -> object:
    """The keys of nested dicts (and of the first item of lists), without the values."""
    if isinstance(data, dict):
        return {key: shape(value) for key, value in data.items()}
    if isinstance(data, list) and data:
        return [shape(data[0])]
    return None


@pytest.mark.parametrize("seed", range(300))
def test_fodselsnummer_and_d_nummer_pass_the_check(seed: int) -> None:
    rng = random.Random(seed)
    number = synthetic_fodselsnummer(rng)
    d_number = synthetic_fodselsnummer(rng, d_number=True)
    assert fodselsnummer.is_valid(number) and len(number) == 11
    assert fodselsnummer.is_valid(d_number) and d_number[0] in "4567"
    assert fodselsnummer.get_birth_date(d_number).year in range(1936, 2008)


@pytest.mark.parametrize(
    "born",
    [date(1860, 2, 29), date(1925, 12, 31), date(1950, 1, 1), date(1999, 7, 14), date(2024, 3, 1)],
)
def test_the_individual_number_places_the_birth_in_the_right_century(born: date) -> None:
    for seed in range(20):
        rng = random.Random(seed)
        assert fodselsnummer.get_birth_date(synthetic_fodselsnummer(rng, birth_date=born)) == born
        d_number = synthetic_fodselsnummer(rng, birth_date=born, d_number=True)
        assert int(d_number[:2]) == born.day + 40
        assert fodselsnummer.get_birth_date(d_number) == born


def test_impossible_birth_dates_are_refused() -> None:
    with pytest.raises(ValueError, match="future"):
        synthetic_fodselsnummer(random.Random(1), birth_date=date.today() + timedelta(days=1))
    with pytest.raises(ValueError, match="1854"):
        synthetic_fodselsnummer(random.Random(1), birth_date=date(1850, 1, 1))


@pytest.mark.parametrize("seed", range(200))
def test_kontonummer_passes_the_check(seed: int) -> None:
    number = synthetic_kontonummer(random.Random(seed))
    assert len(number) == 11 and number.isdigit()
    assert kontonr.is_valid(number)


def test_person_has_the_applicant_shape_and_valid_values() -> None:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    rng = random.Random(5)
    for kommunenummer in PLACES:
        for _ in range(25):
            person = synthetic_person(rng, kommunenummer=kommunenummer)
            assert shape(person) == shape(example["applicant"])
            assert fodselsnummer.is_valid(person["national_id"])
            assert person["address"]["postal_code"].isdigit()
            assert len(person["address"]["postal_code"]) == 4
            assert person["email"].endswith("@example.no") and person["email"].isascii()


def test_names_cover_norwegian_and_sami_letters() -> None:
    rng = random.Random(11)
    names = " ".join(synthetic_person(rng)["name"] for _ in range(600))
    sami = "".join(SAMI_FIRST_NAMES + SAMI_LAST_NAMES).lower()
    assert set("áčđŋšŧž") <= set(sami)
    assert set("æøå") <= set(names.lower())
    assert any(name in names for name in SAMI_LAST_NAMES)


def test_unknown_kommune_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="0301, 4601, 4627, 5001"):
        synthetic_person(random.Random(1), kommunenummer="1103")


def test_scenarios_are_the_documented_ones() -> None:
    assert set(SCENARIOS) == {
        "unntatt_garasje", "unntatt_tilbygg", "soknad_garasje_60", "soknad_tilbygg_40",
        "naer_grense_samtykke", "for_naer_grense", "plan_strid", "beboelse", "for_stor",
        "nabomerknad", "dispensasjon", "plan_ukjent", "mangler_situasjonsplan", "annet_tiltak",
    }  # fmt: skip
    assert set(EXPECTED_OUTCOMES) == set(SCENARIOS)
    assert all(description and "\n" not in description for description in SCENARIOS.values())


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("kommunenummer", sorted(PLACES))
def test_every_scenario_validates_in_the_example_shape(scenario: str, kommunenummer: str) -> None:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    for seed in range(10):
        malform = "nn" if seed % 2 else "nb"
        data = case(scenario, seed, kommunenummer=kommunenummer, malform=malform)
        # Extensions also name their rooms and the small buildings already on the lot
        # (optional fields the example garage has no use for).
        # The sending system's statement that the plan register confirmed conformity.
        if data["plan"]["conforms"] is not None:
            assert data.pop("verified") == [
                {"fact": "plan.conforms", "source": "kartdata", "reference": ANY}
            ]
        if data["measure"]["kind"] == "tilbygg":
            assert (
                data["measure"].pop("rooms")
                and data["property"].pop("existing_small_buildings") == []
            )
        assert shape(data) == shape(example)
        model = ByggesakCase.model_validate(data)
        assert model.kommunenummer == kommunenummer and model.malform == malform
        assert json.loads(json.dumps(data)) == data
        assert model.received_at == RECEIVED


def measures(scenario: str) -> list[dict[str, Any]]:
    return [case(scenario, seed) for seed in range(40)]


def test_exempt_scenarios_stay_within_sak10_4_1() -> None:
    for data in measures("unntatt_garasje") + measures("plan_ukjent"):
        m = data["measure"]
        assert m["kind"] == "frittliggende_bygning" and not m["for_habitation"]
        assert m["built_area_m2"] <= 50 and m["usable_area_m2"] <= 50
        assert m["ridge_height_m"] <= 4.0 and m["eaves_height_m"] <= 3.0
        assert m["storeys"] == 1 and not m["has_basement"] and not m["over_pipes"]
        assert m["distance_to_boundary_m"] >= 1.0 and m["distance_to_buildings_m"] >= 1.0
        assert data["property"]["is_developed"]
    for data in measures("unntatt_tilbygg"):
        m = data["measure"]
        assert m["kind"] == "tilbygg" and m["built_area_m2"] <= 15
        assert m["distance_to_boundary_m"] >= 4.0
        assert m["rooms"] and "annet" not in m["rooms"]  # no room for lasting stay
    assert all(d["plan"]["conforms"] for d in measures("unntatt_garasje"))
    assert all(d["plan"]["conforms"] is None for d in measures("plan_ukjent"))


def test_application_scenarios_stay_within_their_bounds() -> None:
    areas = {
        "soknad_garasje_60": (51, 70),
        "soknad_tilbygg_40": (16, 50),
        "naer_grense_samtykke": (51, 60),
        "for_naer_grense": (55, 70),
    }
    for scenario, (low, high) in areas.items():
        for data in measures(scenario):
            assert low <= data["measure"]["built_area_m2"] <= high
            assert data["measure"]["usable_area_m2"] <= data["measure"]["built_area_m2"]
    for data in measures("soknad_garasje_60") + measures("soknad_tilbygg_40"):
        assert data["measure"]["distance_to_boundary_m"] >= 4.0
        assert data["neighbour_notice"]["objections"] == 0
    for scenario, consent in (("naer_grense_samtykke", True), ("for_naer_grense", False)):
        for data in measures(scenario):
            assert 1.0 <= data["measure"]["distance_to_boundary_m"] < 4.0
            assert data["neighbour_notice"]["boundary_consent"] is consent
    assert all(d["measure"]["built_area_m2"] > 70 for d in measures("for_stor"))
    assert all(d["measure"]["for_habitation"] for d in measures("beboelse"))


def test_scenarios_that_need_a_human_or_a_document() -> None:
    assert all(d["neighbour_notice"]["objections"] >= 1 for d in measures("nabomerknad"))
    for data in measures("dispensasjon"):
        assert data["dispensation_requested"] and data["plan"]["conforms"] is False
    for data in measures("plan_strid"):
        assert not data["dispensation_requested"] and data["plan"]["conforms"] is False
    assert all(d["measure"]["kind"] == "annet" for d in measures("annet_tiltak"))
    for scenario in SCENARIOS:
        kinds = {a["kind"] for d in measures(scenario) for a in d["attachments"]}
        assert ("situasjonsplan" in kinds) is (scenario != "mangler_situasjonsplan")


def test_the_same_seed_gives_the_same_case_and_another_seed_another() -> None:
    for scenario in SCENARIOS:
        assert case(scenario, 42) == case(scenario, 42)
        assert case(scenario, 42) != case(scenario, 43)


def test_bad_arguments_say_what_to_use() -> None:
    with pytest.raises(ValueError, match="unntatt_garasje"):
        case("garasje")
    with pytest.raises(ValueError, match="timezone"):
        case("unntatt_garasje", received_at=datetime(2026, 9, 21, 14, 2))


def test_every_public_name_exists() -> None:
    for name in demo.synthetic.__all__:
        assert hasattr(demo.synthetic, name), name


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_generate", DEMO / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_inbox_is_what_the_generator_writes() -> None:
    cases: list[dict[str, Any]] = load_generator().demo_cases()
    files = sorted((DEMO / "inbox" / "byggesak").iterdir())
    assert [f.name for f in files] == sorted(f"{c['reference']}.json" for c in cases)
    for data in cases:
        path = DEMO / "inbox" / "byggesak" / f"{data['reference']}.json"
        expected = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        assert path.read_text(encoding="utf-8") == expected, "run: python demo/generate.py"


def test_demo_cases_cover_every_scenario_in_both_malformer() -> None:
    generator = load_generator()
    plan = Counter(generator.demo_plan())
    for scenario in SCENARIOS:
        assert plan[(scenario, "nb")] >= 1 and plan[(scenario, "nn")] >= 1
        assert plan[(scenario, "nb")] + plan[(scenario, "nn")] >= 2
    cases = generator.demo_cases()
    assert len(cases) == 48
    assert len({c["reference"] for c in cases}) == 48
    assert Counter(c["kommunenummer"] for c in cases) == {"4627": 32, "4601": 8, "0301": 8}
    assert 20 <= Counter(c["malform"] for c in cases)["nn"] <= 28
    received = [datetime.fromisoformat(c["received_at"]) for c in cases]
    assert all(r.year == 2026 and r < datetime(2026, 11, 27, tzinfo=UTC) for r in received)
    assert received == sorted(received)
