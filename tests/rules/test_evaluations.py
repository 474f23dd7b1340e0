"""Evaluations as the product relies on them: each depends on its own case only (not on
the cases before it, nor on the thread), results read back as validated models, and
explanations change nothing else."""

from __future__ import annotations

import random
import shutil
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from demo.synthetic import WELFARE_SCENARIOS, sosialhjelp_case
from runner.models import ByggesakCase, Evaluation, RuleOutcome, RuleResult
from runner.models.registry import case_model, decision_date
from runner.rules import RuleSet, evaluate, load_rule_set
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT, load_settings
from tests.rules.conftest import BASE_CASE, FIXTURES

CaseFactory = Callable[..., ByggesakCase]


def result(evaluation: Evaluation, rule_id: str) -> RuleResult:
    return next(item for item in evaluation.results if item.rule_id == rule_id)


def rule_set_cases(rule_set: RuleSet) -> list[tuple[ByggesakCase, Any]]:
    return [
        (ByggesakCase.model_validate(deep_merge(file.spec.base, test.patch)), test.on)
        for file in rule_set.tests
        for test in file.spec.tests
    ]


def _welfare_cases(count: int) -> list[tuple[BaseModel, dict[str, Any]]]:
    rng = random.Random(11)
    names = sorted(WELFARE_SCENARIOS)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    model = case_model("sosialhjelp")
    kommune = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune
    cases = []
    for i in range(count):
        case = model.model_validate(
            sosialhjelp_case(
                rng, names[i % len(names)], reference=f"T-{i}",
                received_at=start + timedelta(days=3 * i),
            )
        )  # fmt: skip
        cases.append((case, kommune.rule_parameters("sosialhjelp", decision_date(case))))
    return cases


def test_an_evaluation_does_not_depend_on_the_cases_before_it(smatiltak: RuleSet) -> None:
    cases = rule_set_cases(smatiltak)
    expected = [evaluate(smatiltak, case, on=on) for case, on in cases]
    for order in (range(len(cases)), reversed(range(len(cases)))):
        for index in order:
            case, on = cases[index]
            assert evaluate(smatiltak, case, on=on) == expected[index]


def test_a_welfare_evaluation_does_not_depend_on_the_cases_before_it() -> None:
    welfare = load_rule_set(CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold")
    cases = _welfare_cases(40)
    for explain in (False, True):
        expected = [evaluate(welfare, c, kommune=k, explain=explain) for c, k in cases]
        for index in reversed(range(len(cases))):
            case, kommune = cases[index]
            assert evaluate(welfare, case, kommune=kommune, explain=explain) == expected[index]


def test_a_kommune_value_gone_in_the_next_case_is_undefined(
    engine: RuleSet, make_case: CaseFactory
) -> None:
    case = make_case({"measure": {"use": "kommunesats"}})
    assert result(evaluate(engine, case, kommune={"sats": 3}), "kommune_sats").outcome is (
        RuleOutcome.oppfylt
    )
    without = result(evaluate(engine, case), "kommune_sats")
    assert without.outcome is RuleOutcome.uavklart
    assert without.error is not None and "«k.sats» finnes ikke" in without.error
    again = evaluate(engine, case, kommune={"sats": 3})
    assert result(again, "kommune_sats").outcome is RuleOutcome.oppfylt


def test_a_value_an_earlier_rule_did_not_give_is_missing(
    tmp_path: Path, make_case: CaseFactory
) -> None:
    folder = tmp_path / "engine"
    shutil.copytree(FIXTURES / "engine", folder)
    rules = folder / "rules.yaml"
    text = rules.read_text(encoding="utf-8")
    calculation = "value: case.measure.built_area_m2 + case.measure.usable_area_m2"
    assert calculation in text
    rules.write_text(text.replace(calculation, "value: case.measure.length_m + 1.0"), "utf-8")
    evaluation = evaluate(load_rule_set(folder), make_case())
    failed = result(evaluation, "sum_areal")
    assert failed.outcome is RuleOutcome.uavklart and failed.value is None
    dobbel = result(evaluation, "dobbel")
    assert dobbel.outcome is RuleOutcome.uavklart
    assert dobbel.error is not None and "«v.sum_areal» finnes ikke" in dobbel.error
    assert "sum_areal" not in evaluation.decision.amounts


def test_runtime_errors_in_rules_and_rows_are_named() -> None:
    """Null where a number is read, a parameter without a value on the day, an int division
    by zero in a decision row: each named, the case sent on."""
    layered = load_rule_set(FIXTURES / "layered")
    patches: list[dict[str, Any]] = [
        {},
        {"measure": {"kind": "levegg", "length_m": None}},
        {"measure": {"use": "deling"}},
        {"measure": {"use": "radfeil"}},
        {"attachments": [{"kind": "situasjonsplan", "file": "a/situasjonsplan.pdf"}]},
    ]
    evaluations = [
        evaluate(layered, ByggesakCase.model_validate(deep_merge(BASE_CASE, patch)), on=on)
        for patch in patches
        for on in (None, date(2019, 6, 1))
    ]
    errors = " ".join(r.error for e in evaluations for r in e.results if r.error is not None)
    assert "«case.measure.length_m» mangler verdi (null)" in errors
    assert "parameteren «grense_m2» har ingen verdi som gjelder 2019-06-01" in errors
    assert "decision[0].when feilet" in " ".join(e.decision.matched for e in evaluations)


def test_the_trace_keeps_the_whole_list(smatiltak: RuleSet) -> None:
    case = ByggesakCase.model_validate(
        deep_merge(
            BASE_CASE,
            {"attachments": [{"kind": "situasjonsplan", "file": "a/situasjonsplan.pdf"}]},
        )
    )
    found = result(evaluate(smatiltak, case), "situasjonsplan")
    assert found.values["case.attachments"] == case.model_dump(mode="json")["attachments"]


def test_results_read_back_as_the_same_models(smatiltak: RuleSet) -> None:
    for case, on in rule_set_cases(smatiltak):
        evaluation = evaluate(smatiltak, case, on=on)
        assert Evaluation.model_validate(evaluation.model_dump()) == evaluation
        assert Evaluation.model_validate_json(evaluation.model_dump_json()) == evaluation


def test_without_explanations_everything_else_is_the_same(smatiltak: RuleSet) -> None:
    for case, on in rule_set_cases(smatiltak):
        full = evaluate(smatiltak, case, on=on)
        bare = evaluate(smatiltak, case, on=on, explain=False)
        assert bare.decision == full.decision
        for short, long in zip(bare.results, full.results, strict=True):
            if long.outcome is RuleOutcome.ikke_aktuelt or long.error is not None:
                assert short == long
            else:
                assert short == long.model_copy(update={"explanation": {}})


def test_a_case_model_with_its_own_model_dump_is_dumped_by_it(smatiltak: RuleSet) -> None:
    calls: list[dict[str, Any]] = []

    class Dumping(ByggesakCase):
        def model_dump(self, **options: Any) -> dict[str, Any]:  # type: ignore[override]
            calls.append(options)
            return super().model_dump(**options)

    for case, on in rule_set_cases(smatiltak):
        own = Dumping.model_validate(case.model_dump())
        assert evaluate(smatiltak, own, on=on) == evaluate(smatiltak, case, on=on)
        assert evaluate(smatiltak, own, on=on, explain=False) == evaluate(
            smatiltak, case, on=on, explain=False
        )
    assert {"mode": "json", "include": None} in calls  # with explanations: the whole case
    assert any(call["include"] for call in calls)  # without: only the fields read


def test_another_thread_gives_the_same_evaluations(smatiltak: RuleSet) -> None:
    cases = rule_set_cases(smatiltak)
    expected = [evaluate(smatiltak, case, on=on) for case, on in cases]
    found: list[Evaluation] = []
    worker = threading.Thread(
        target=lambda: found.extend(evaluate(smatiltak, case, on=on) for case, on in cases)
    )
    worker.start()
    worker.join()
    assert found == expected
