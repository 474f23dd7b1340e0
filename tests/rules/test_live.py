"""CEL contexts reused between cases: an evaluation never depends on the case before it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import cel
import pytest

from runner.models import ByggesakCase, Evaluation, RuleOutcome, RuleResult
from runner.rules import RuleSet, evaluate, verdict
from runner.rules.live import LiveContext, live_contexts
from runner.rules.ruleset import ContextScope
from runner.ruletools.testing import deep_merge

CaseFactory = Callable[..., ByggesakCase]


def result(evaluation: Evaluation, rule_id: str) -> RuleResult:
    return next(item for item in evaluation.results if item.rule_id == rule_id)


def fresh(rule_set: RuleSet, case: ByggesakCase, **options: Any) -> Evaluation:
    """Evaluate with new CEL contexts, as if no case had come before."""
    for live in live_contexts(rule_set):
        live.discard()
    return evaluate(rule_set, case, **options)


def rule_set_cases(rule_set: RuleSet) -> list[tuple[ByggesakCase, Any]]:
    return [
        (ByggesakCase.model_validate(deep_merge(file.spec.base, test.patch)), test.on)
        for file in rule_set.tests
        for test in file.spec.tests
    ]


def test_warm_contexts_give_what_fresh_ones_give(smatiltak: RuleSet) -> None:
    cases = rule_set_cases(smatiltak)
    expected = [fresh(smatiltak, case, on=on) for case, on in cases]
    for order in (range(len(cases)), reversed(range(len(cases)))):
        for index in order:
            case, on = cases[index]
            assert evaluate(smatiltak, case, on=on) == expected[index]


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
    assert without == result(fresh(engine, case), "kommune_sats")
    again = evaluate(engine, case, kommune={"sats": 3})
    assert result(again, "kommune_sats").outcome is RuleOutcome.oppfylt


def test_a_value_an_earlier_rule_did_not_give_is_undefined() -> None:
    scope = ContextScope(
        flat=(),
        has=(),
        whole=frozenset(),
        result_flat=(("v__a", ("v", "a")),),
        result_has=(),
        result_whole=frozenset(),
        result_ids=frozenset({"a"}),
    )
    live = LiveContext(scope)
    program = cel.compile("v__a > 1.0")
    live.sync({"r": {"a": "oppfylt"}, "v": {"a": 2.0}})
    assert program.execute(live.context()) is True
    live.sync({"r": {"a": "uavklart"}, "v": {}})  # rule a ran and gave no value
    with pytest.raises(RuntimeError, match="v__a"):
        program.execute(live.context())
    live.sync({"r": {}, "v": {}})  # rule a has not run yet: nobody reads v.a now
    live.sync({"r": {"a": "oppfylt"}, "v": {"a": 0.5}})
    assert program.execute(live.context()) is False


def test_results_built_without_validation_equal_validated_ones(smatiltak: RuleSet) -> None:
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
    """The engine calls the serializer directly only where model_dump is pydantic's own."""
    calls: list[dict[str, Any]] = []

    class Dumping(ByggesakCase):
        def model_dump(self, **options: Any) -> dict[str, Any]:  # type: ignore[override]
            calls.append(options)
            return super().model_dump(**options)

    for case, on in rule_set_cases(smatiltak):
        own = Dumping.model_validate(case.model_dump())
        assert verdict(smatiltak, own, on=on) == verdict(smatiltak, case, on=on)
        assert evaluate(smatiltak, own, on=on) == evaluate(smatiltak, case, on=on)
    assert {"mode": "json", "include": None} in calls  # with explanations: the whole case
    assert any(call["include"] for call in calls)  # without: only the fields read


def test_each_thread_has_its_own_contexts(smatiltak: RuleSet) -> None:
    cases = rule_set_cases(smatiltak)
    expected = [evaluate(smatiltak, case, on=on) for case, on in cases]
    found: list[Evaluation] = []
    worker = threading.Thread(
        target=lambda: found.extend(evaluate(smatiltak, case, on=on) for case, on in cases)
    )
    worker.start()
    worker.join()
    assert found == expected
