"""Discretion, kommune guidelines and verified facts: what the robot may not settle alone."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from runner.kommuner.settings import Guideline, KommuneSettings
from runner.models.byggesak import ByggesakCase
from runner.rules import load_rule_set
from runner.rules.evaluate import evaluate
from runner.rules.ruleset import RuleSet
from runner.ruletools.testing import deep_merge
from tests.rules.conftest import SMATILTAK

# The garage: 42.5 m², ridge 4.3 m (not exempt), 1.2 m from the boundary, no consent.
GARAGE = {
    "measure": {
        "built_area_m2": 42.5,
        "usable_area_m2": 40.0,
        "ridge_height_m": 4.3,
        "distance_to_boundary_m": 1.2,
    },
    "verified": [
        {"fact": "plan.conforms", "source": "kartdata"},
        {"fact": "map_facts", "source": "kartdata"},  # the base's map facts, all clear
    ],
}
GUIDELINE = {
    "reference": "Retningslinjer for garasjer nær nabogrense, sak 15/26",
    "adopted": date(2026, 2, 1),
    "conditions": "case.measure.distance_to_boundary_m >= 1.0",
}


def _case(make_case: Any, patch: dict[str, Any]) -> ByggesakCase:
    case: ByggesakCase = make_case(patch)
    return case


def _kommune(**guidelines: dict[str, Any]) -> KommuneSettings:
    return KommuneSettings.model_validate(
        {
            "kommunenummer": "4627",
            "name": "Askøy kommune",
            "letterhead": {"title": "Askøy kommune", "postal_address": "Postboks 323"},
            "guidelines": guidelines,
        }
    )


@pytest.fixture
def garage() -> ByggesakCase:
    base = yaml.safe_load((SMATILTAK / "tests" / "frittliggende.yaml").read_text("utf-8"))
    return ByggesakCase.model_validate(deep_merge(base["base"], GARAGE))


def test_open_discretion_is_uavklart_names_the_question_and_goes_to_a_person(
    smatiltak: RuleSet, garage: ByggesakCase
) -> None:
    evaluation = evaluate(smatiltak, garage, on=date(2026, 9, 21))
    result = {r.rule_id: r for r in evaluation.results}["avstand_mindre_bygning"]
    assert result.outcome == "uavklart" and result.discretion == "open"
    assert result.guideline is None and not result.error
    assert "pbl. § 29-4 tredje ledd" in result.explanation["nb"]
    assert "Skal kommunen godkjenne" in result.explanation["nb"]
    assert "ikke vedtatt retningslinjer" in result.explanation["nb"]
    assert "ikkje vedteke retningslinjer" in result.explanation["nn"]
    decision = evaluation.decision
    assert decision.outcome == "til_vurdering" and decision.route == "review"
    assert decision.discretion == ["avstand_mindre_bygning"] and decision.unverified == []


def test_a_guideline_adopted_by_the_decision_date_settles_it_and_is_cited(
    smatiltak: RuleSet, garage: ByggesakCase
) -> None:
    kommune = _kommune(avstand_mindre_bygning=GUIDELINE)
    on = date(2026, 9, 21)
    evaluation = evaluate(smatiltak, garage, on=on, kommune=kommune.rule_parameters("byggesak", on))
    result = {r.rule_id: r for r in evaluation.results}["avstand_mindre_bygning"]
    assert result.outcome == "oppfylt" and result.discretion == "guideline"
    assert result.guideline == {"reference": GUIDELINE["reference"], "adopted": "2026-02-01"}
    assert "sak 15/26" in result.explanation["nb"] and "1. februar 2026" in result.explanation["nb"]
    assert evaluation.decision.outcome == "innvilget" and evaluation.decision.route == "auto"
    # The guideline is part of the stored kommune parameters: the decision can be replayed.
    assert evaluation.kommune_parameters["guidelines"]["avstand_mindre_bygning"]["conditions"]


def test_a_guideline_adopted_after_the_decision_date_does_not_apply(
    smatiltak: RuleSet, garage: ByggesakCase
) -> None:
    kommune = _kommune(avstand_mindre_bygning=GUIDELINE)
    on = date(2026, 1, 31)
    assert kommune.rule_parameters("byggesak", on) == {}
    assert "guidelines" in kommune.rule_parameters("byggesak", date(2026, 2, 1))
    evaluation = evaluate(smatiltak, garage, on=on, kommune=kommune.rule_parameters("byggesak", on))
    assert evaluation.decision.route == "review"


def test_a_guideline_for_a_rule_that_allows_none_is_ignored(
    smatiltak: RuleSet, make_case: Any
) -> None:
    case = _case(make_case, {"dispensation_requested": True})
    kommune = {"guidelines": {"dispensasjon": {**GUIDELINE, "conditions": "true"}}}
    result = {r.rule_id: r for r in evaluate(smatiltak, case, kommune=kommune).results}
    assert result["dispensasjon"].outcome == "uavklart"
    assert "bare en saksbehandler" in result["dispensasjon"].explanation["nb"]


def test_guideline_conditions_must_be_cel_and_the_error_says_how_to_fix() -> None:
    with pytest.raises(ValidationError, match="write the conditions as CEL"):
        Guideline.model_validate({**GUIDELINE, "conditions": "avstand >= 1 m"})


def test_a_fact_only_declared_is_uavklart_and_provenance_is_recorded(
    smatiltak: RuleSet, make_case: Any
) -> None:
    declared = _case(make_case, {})
    results = {r.rule_id: r for r in evaluate(smatiltak, declared).results}
    plan = results["plan_samsvar"]
    assert plan.outcome == "uavklart" and plan.unverified == ["plan.conforms"]
    assert plan.provenance == {"case.plan.conforms": "oppgitt"}
    assert "bare oppgitt av søkeren" in plan.explanation["nb"]
    verified = _case(
        make_case,
        {
            "verified": [
                {"fact": "plan.conforms", "source": "kartdata", "reference": "planregister"}
            ]
        },
    )
    results = {r.rule_id: r for r in evaluate(smatiltak, verified).results}
    assert results["plan_samsvar"].outcome == "oppfylt"
    assert results["plan_samsvar"].provenance == {"case.plan.conforms": "kontrollert: kartdata"}
    # A parent path verifies what is below it.
    parent = _case(make_case, {"verified": [{"fact": "plan", "source": "saksbehandler"}]})
    results = {r.rule_id: r for r in evaluate(smatiltak, parent).results}
    assert results["plan_samsvar"].outcome == "oppfylt"


def test_a_row_that_rests_on_discretion_always_goes_to_review(tmp_path: Path) -> None:
    folder = tmp_path / "row"
    source = Path(__file__).parent / "fixtures" / "lint" / "discretion_auto_row"
    folder.mkdir()
    for name in ("ruleset.yaml", "rules.yaml", "parameters.yaml"):
        (folder / name).write_text((source / name).read_text("utf-8"), "utf-8")
    rule_set = load_rule_set(folder)
    base = yaml.safe_load((source / "tests" / "liten.yaml").read_text("utf-8"))["base"]
    case = ByggesakCase.model_validate(
        deep_merge(
            base,
            {
                "measure": {"built_area_m2": 60.0},
                "neighbour_notice": {"boundary_consent": True},
            },
        )
    )
    decision = evaluate(rule_set, case).decision
    assert decision.outcome == "innvilget" and decision.matched.startswith("r.liten")
    assert decision.route == "review" and decision.discretion == ["decision[1]"]


def test_appeal_body_is_written_in_the_letters_malform() -> None:
    from runner.kommuner.settings import LocalName

    both = LocalName(nb="Statsforvalteren i Vestland", nn="Statsforvaltaren i Vestland")
    kommune = _kommune().model_copy(update={"appeal_body": {"byggesak": both}})
    assert kommune.appeal_body_for("byggesak", "nb") == "Statsforvalteren i Vestland"
    assert kommune.appeal_body_for("byggesak", "nn") == "Statsforvaltaren i Vestland"

def test_existing_cases_without_the_new_fields_still_validate() -> None:
    demo = SMATILTAK.parent.parent / "demo" / "inbox" / "byggesak"
    for path in sorted(demo.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        data.pop("verified", None)
        data["measure"].pop("rooms", None)
        data["property"].pop("existing_small_buildings", None)
        ByggesakCase.model_validate(data)
