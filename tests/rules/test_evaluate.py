"""Evaluating a case: each outcome kind, values read, explanations, errors, the decision."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from runner.errors import ConfigurationError, RuleSetError
from runner.models import ByggesakCase, Evaluation, Route, RuleOutcome, RuleResult
from runner.rules import RuleSet, evaluate, load_rule_set
from tests.rules.conftest import FIXTURES

CaseFactory = Callable[..., ByggesakCase]


def result(evaluation: Evaluation, rule_id: str) -> RuleResult:
    return next(item for item in evaluation.results if item.rule_id == rule_id)


def test_evaluation_carries_rule_set_identity_and_parameters(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    evaluation = evaluate(engine, make_case())
    assert evaluation.rule_set_id == "engine-test"
    assert evaluation.rule_set_version == "2026.1"
    assert evaluation.rule_set_hash == engine.hash
    assert evaluation.decision_date == "2026-09-21"  # the case's received date
    assert evaluation.parameters["grense_m2"] == 40.0
    assert [item.rule_id for item in evaluation.results] == [rule.id for rule in engine.rules]


def test_oppfylt_and_ikke_oppfylt(engine: RuleSet, make_case: CaseFactory) -> None:
    assert result(evaluate(engine, make_case()), "stor").outcome is RuleOutcome.oppfylt
    small = make_case({"measure": {"built_area_m2": 40.0}})
    assert result(evaluate(engine, small), "stor").outcome is RuleOutcome.ikke_oppfylt


def test_ikke_aktuelt_when_it_does_not_apply(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(engine, make_case({"measure": {"use": "bod"}}))
    garasje = result(evaluation, "garasje")
    assert garasje.outcome is RuleOutcome.ikke_aktuelt
    assert garasje.explanation == {
        "nb": "Regelen gjelder ikke i denne saken.",
        "nn": "Regelen gjeld ikkje i denne saka.",
    }


def test_uavklart_when_uncertain(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(engine, make_case({"plan": {"conforms": None}}))
    plan = result(evaluation, "plan")
    assert plan.outcome is RuleOutcome.uavklart
    assert plan.error is None
    assert plan.explanation["nb"] == "Plan: uavklart."


def test_calculation_rules_give_values_and_amounts(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(engine, make_case())
    assert result(evaluation, "sum_areal").value == 82.5
    assert result(evaluation, "sum_areal").explanation["nb"] == "Samlet areal er 82,5 m²."
    assert result(evaluation, "dobbel").value == 165.0
    assert result(evaluation, "dobbel").outcome is RuleOutcome.oppfylt
    assert result(evaluation, "sats").value == 2
    assert evaluation.decision.amounts == {"sum_areal": 82.5, "dobbel": 165.0, "sats": 2}


def test_null_where_a_number_is_expected_is_uavklart(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    evaluation = evaluate(engine, make_case({"measure": {"kind": "levegg", "length_m": None}}))
    lengde = result(evaluation, "lengde")
    assert lengde.outcome is RuleOutcome.uavklart
    assert lengde.error is not None
    assert "«case.measure.length_m» mangler verdi (null)" in lengde.error
    assert "TypeError" in lengde.error
    assert "Regelen kunne ikkje vurderast automatisk" in lengde.explanation["nn"]
    assert evaluation.decision.route is Route.review


def test_missing_key_is_uavklart_with_the_path_named(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    evaluation = evaluate(engine, make_case({"measure": {"use": "kommunesats"}}))
    sats = result(evaluation, "kommune_sats")
    assert sats.outcome is RuleOutcome.uavklart
    assert sats.error is not None
    assert sats.error == (
        "Regelen kunne ikke vurderes: «k.sats» finnes ikke "
        "[RuntimeError: Undefined variable or function: 'k.sats']"
    )
    assert sats.values["k.sats"] is None


def test_wrong_type_is_uavklart(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(engine, make_case(), kommune={"maks_m2": "femti"})
    kommune = result(evaluation, "kommune")
    assert kommune.outcome is RuleOutcome.uavklart
    assert kommune.error is not None and "Regelen kunne ikke vurderes" in kommune.error
    assert evaluation.decision.route is Route.review


def test_kommune_parameters_are_k(engine: RuleSet, make_case: CaseFactory) -> None:
    assert result(evaluate(engine, make_case()), "kommune").outcome is RuleOutcome.ikke_aktuelt
    evaluation = evaluate(engine, make_case(), kommune={"maks_m2": 50.0})
    kommune = result(evaluation, "kommune")
    assert kommune.outcome is RuleOutcome.oppfylt
    assert kommune.values == {"k.maks_m2": 50.0, "case.measure.built_area_m2": 42.5}
    assert kommune.explanation["nn"] == "Kommunen tillet 50 m²."
    too_small = evaluate(engine, make_case(), kommune={"maks_m2": 40.0})
    assert result(too_small, "kommune").outcome is RuleOutcome.ikke_oppfylt


def test_parameter_without_value_on_the_date_is_uavklart(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    evaluation = evaluate(engine, make_case({"measure": {"use": "verksted"}}))
    fremtid = result(evaluation, "fremtid")
    assert fremtid.outcome is RuleOutcome.uavklart
    assert fremtid.error is not None
    assert "parameteren «fremtidig_m2» har ingen verdi som gjelder 2026-09-21" in fremtid.error
    assert "første verdi gjelder fra 2030-01-01" in fremtid.error


def test_broken_explanation_template_makes_the_rule_uavklart(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    evaluation = evaluate(engine, make_case({"measure": {"use": "feilmal"}}))
    broken = result(evaluation, "forklaring_feil")
    assert broken.outcome is RuleOutcome.uavklart
    assert broken.error is not None and "Forklaringen kunne ikke lages" in broken.error
    assert "finnes_ikke" in broken.error


def test_values_read_are_recorded(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(engine, make_case())
    assert result(evaluation, "stor").values == {
        "case.measure.built_area_m2": 42.5,
        "p.grense_m2": 40.0,
    }
    assert result(evaluation, "dobbel").values == {"v.sum_areal": 82.5, "r.sum_areal": "oppfylt"}
    assert result(evaluation, "grense_gyldig").values == {
        "p_from.grense_m2": "2025-01-01",
        "decision_date": "2026-09-21",
    }
    # every path its expressions name, even those not reached (the rule did not apply)
    assert result(evaluation, "lengde").values == {
        "case.measure.kind": "frittliggende_bygning",
        "case.measure.length_m": None,
    }


def test_explanation_is_rendered_in_bokmal_and_nynorsk(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    stor = result(evaluate(engine, make_case()), "stor")
    assert stor.explanation == {
        "nb": "Bygget har bebygd areal 42,5 m², grensen er 40 m².",
        "nn": "Bygget har bebygd areal 42,5 m², grensa er 40 m².",
    }
    assert stor.title == {"nb": "Stort bygg", "nn": "Stort bygg"}
    assert stor.legal_basis[0].url == "https://lovdata.no/forskrift/2010-03-26-488/§4-1"
    dated = result(evaluate(engine, make_case()), "grense_gyldig")
    assert dated.explanation["nb"] == "Grensen gjelder fra 1. januar 2025."


def test_on_overrides_the_decision_date(engine: RuleSet, make_case: CaseFactory) -> None:
    evaluation = evaluate(
        engine, make_case({"measure": {"built_area_m2": 35.0}}), on=date(2024, 1, 1)
    )
    assert evaluation.decision_date == "2024-01-01"
    assert evaluation.parameters["grense_m2"] == 30.0
    assert result(evaluation, "stor").outcome is RuleOutcome.oppfylt


def test_decision_first_hit(engine: RuleSet, make_case: CaseFactory) -> None:
    decision = evaluate(engine, make_case()).decision
    assert decision.outcome == "stor_og_ok"  # rows 1 and 2 both hold: the first wins
    assert decision.matched == "r.stor == 'oppfylt' && all_met"
    assert decision.route is Route.auto
    assert decision.reasons == []
    with_habitation = make_case({"measure": {"for_habitation": True}})
    decision = evaluate(engine, with_habitation).decision
    assert decision.outcome == "stor"
    assert decision.matched == "r.stor == 'oppfylt'"
    assert decision.reasons == ["garasje"]


def test_decision_otherwise(engine: RuleSet, make_case: CaseFactory) -> None:
    case = make_case({"measure": {"built_area_m2": 20.0}, "plan": {"conforms": None}})
    decision = evaluate(engine, case).decision
    assert decision.outcome == "ukjent"
    assert decision.matched == "otherwise"


def test_any_uavklart_routes_to_review_whatever_the_row_says(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    decision = evaluate(engine, make_case({"plan": {"conforms": None}})).decision
    assert decision.outcome == "stor"  # the row says auto
    assert decision.route is Route.review
    assert decision.reasons == ["plan"]


def test_reasons_are_in_rule_order(engine: RuleSet, make_case: CaseFactory) -> None:
    case = make_case({"measure": {"for_habitation": True}, "plan": {"conforms": False}})
    assert evaluate(engine, case).decision.reasons == ["garasje", "plan"]


def test_urgent(engine: RuleSet, make_case: CaseFactory) -> None:
    assert not evaluate(engine, make_case()).decision.urgent
    case = make_case({"neighbour_notice": {"objections": 1}})
    assert evaluate(engine, case).decision.urgent


def test_wrong_case_type_is_a_configuration_error(engine: RuleSet) -> None:
    from runner.models import Address

    with pytest.raises(RuleSetError, match="is for ByggesakCase cases"):
        evaluate(engine, Address(street="a", postal_code="5300", city="b"))


def test_failing_decision_row_is_skipped_and_sent_to_review(
    tmp_path: Path, make_case: CaseFactory
) -> None:
    folder = tmp_path / "engine"
    shutil.copytree(FIXTURES / "engine", folder)
    ruleset = folder / "ruleset.yaml"
    text = ruleset.read_text(encoding="utf-8")
    text = text.replace(
        "  - when: r.stor == 'oppfylt' && all_met", "  - when: v.sum_areal > k.grense"
    )
    ruleset.write_text(text, encoding="utf-8")
    decision = evaluate(load_rule_set(folder), make_case()).decision
    assert decision.outcome == "stor"  # the next row that holds
    assert decision.route is Route.review
    assert decision.matched == (
        "r.stor == 'oppfylt' (decision[0].when feilet: "
        "RuntimeError: Undefined variable or function: 'k.grense')"
    )


def test_kommune_value_cel_cannot_take_is_a_configuration_error(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    with pytest.raises(ConfigurationError, match="Values cannot be handed to the rules") as caught:
        evaluate(engine, make_case(), kommune={"maks_m2": date(2026, 1, 1)})
    assert caught.value.fix is not None and "YYYY-MM-DD" in caught.value.fix
