"""Rules run as one program per layer, specialised on outcomes: the results must be exactly
those of running each rule's expressions one by one, errors and their messages included."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from demo.synthetic import SCENARIOS, WELFARE_SCENARIOS, byggesak_case, sosialhjelp_case
from runner.models.registry import case_model, decision_date
from runner.rules import RuleSet, evaluate, fused, load_rule_set, verdict
from runner.rules import engine as engine_module
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT, load_settings
from tests.rules.conftest import BASE_CASE

FIXTURES = Path(__file__).parent / "fixtures"
Case = tuple[BaseModel, date | None, dict[str, Any]]


def _test_cases(rule_set: RuleSet) -> Iterator[Case]:
    """Every valid test case of the rule set, as its tests run it."""
    model = case_model(rule_set.case_type)
    for file in rule_set.tests:
        for test in file.spec.tests:
            try:
                case = model.model_validate(deep_merge(file.spec.base, test.patch))
            except ValidationError:  # a test of the case model itself
                continue
            yield case, test.on, dict(test.kommune)


def _generated(case_type: str, count: int) -> Iterator[Case]:
    """Generated cases across every scenario, with the demo kommune's parameters."""
    rng = random.Random(5)
    welfare = case_type == "sosialhjelp"
    scenarios = sorted(WELFARE_SCENARIOS if welfare else SCENARIOS)
    make = sosialhjelp_case if welfare else byggesak_case
    kommune = load_settings(CONTENT_ROOT / "demo" / "saksrobot.toml").kommune
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    model = case_model(case_type)
    for index in range(count):
        raw = make(
            rng,
            scenarios[index % len(scenarios)],
            reference=f"F-{index}",
            received_at=start + timedelta(days=index),
        )
        case = model.model_validate(raw)
        yield case, None, kommune.rule_parameters(case_type, decision_date(case))


#: Patches of the engine fixture's base case that make rules fail at runtime (null where a
#: number is read, a missing key, a parameter without a value, a broken template), and
#: kommune parameters of the right and the wrong type.
ENGINE_PATCHES: list[dict[str, Any]] = [
    {},
    {"measure": {"kind": "levegg", "length_m": None}},
    {"measure": {"use": "kommunesats"}},
    {"measure": {"use": "verksted"}},
    {"measure": {"use": "feilmal"}},
    {"measure": {"kind": "tilbygg", "built_area_m2": 60.0}},
]
ENGINE_KOMMUNE: list[dict[str, Any]] = [{}, {"maks_m2": 50.0}, {"maks_m2": "femti"}]


def _cases(rule_set: RuleSet) -> list[Case]:
    cases = list(_test_cases(rule_set))
    if rule_set.path.parent == CONTENT_ROOT / "rules":
        cases += list(_generated(rule_set.case_type, 60))
    else:
        model = case_model(rule_set.case_type)
        cases += [
            (model.model_validate(deep_merge(BASE_CASE, patch)), None, kommune)
            for patch in ENGINE_PATCHES
            for kommune in ENGINE_KOMMUNE
        ]
    return cases


RULE_SETS = [
    FIXTURES / "engine",
    CONTENT_ROOT / "rules" / "byggesak-smatiltak",
    CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold",
]


def _rule_by_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run every rule and decision row alone, as before layers existed."""
    monkeypatch.setattr(engine_module.Run, "_fused", lambda self, layer, first: None)
    monkeypatch.setattr(engine_module, "decision_table", lambda rule_set: None)


@pytest.mark.parametrize("folder", RULE_SETS, ids=lambda path: path.name)
@pytest.mark.parametrize("explain", [True, False])
def test_layers_give_what_rule_by_rule_gives(
    folder: Path, explain: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rule_set = load_rule_set(folder)
    cases = _cases(rule_set)
    fast = [evaluate(rule_set, c, on=on, kommune=k, explain=explain) for c, on, k in cases]
    _rule_by_rule(monkeypatch)
    rule_set = load_rule_set(folder)  # a new object: prepared afresh, without the table
    slow = [evaluate(rule_set, c, on=on, kommune=k, explain=explain) for c, on, k in cases]
    assert len(cases) >= 20
    for found, expected in zip(fast, slow, strict=True):
        assert found.model_dump() == expected.model_dump()


def test_the_engine_fixture_exercises_runtime_errors(engine: RuleSet) -> None:
    """The comparison above covers layers that fail and fall back rule by rule."""
    errors = [
        result.error
        for case, on, kommune in _cases(engine)
        for result in evaluate(engine, case, on=on, kommune=kommune).results
        if result.error is not None
    ]
    assert any("mangler verdi (null)" in error for error in errors)
    assert any("finnes ikke" in error for error in errors)


@pytest.mark.parametrize("folder", RULE_SETS, ids=lambda path: path.name)
def test_the_verdict_is_the_evaluation_without_its_trace(folder: Path) -> None:
    rule_set = load_rule_set(folder)
    for case, on, kommune in _cases(rule_set):
        full = evaluate(rule_set, case, on=on, kommune=kommune, explain=False)
        short = verdict(rule_set, case, on=on, kommune=kommune)
        assert short.outcomes == {r.rule_id: r.outcome.value for r in full.results}
        assert short.values == {r.rule_id: r.value for r in full.results if r.value is not None}
        assert short.errors == {r.rule_id: r.error for r in full.results if r.error is not None}
        assert short.decision == full.decision
        assert (short.rule_set_hash, short.decision_date) == (
            full.rule_set_hash,
            full.decision_date,
        )


@pytest.mark.parametrize("setting", ["MAX_VARIANTS", "MAX_LAYER"])
def test_small_limits_change_nothing_but_the_speed(
    setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No variants (outcomes read from the context) or one rule per layer: same results."""
    folder = CONTENT_ROOT / "rules" / "byggesak-smatiltak"
    expected_set = load_rule_set(folder)
    cases = _cases(expected_set)
    expected = [evaluate(expected_set, c, on=on, kommune=k).model_dump() for c, on, k in cases]
    monkeypatch.setattr(fused, setting, 0 if setting == "MAX_VARIANTS" else 1)
    rule_set = load_rule_set(folder)  # a new object: layers and variants built afresh
    layers = fused.rule_layers(rule_set)
    if setting == "MAX_LAYER":
        assert all(layer.stop - layer.start == 1 for layer in layers)
    found = [evaluate(rule_set, c, on=on, kommune=k).model_dump() for c, on, k in cases]
    assert found == expected


def test_layers_break_where_a_rule_reads_the_layer(smatiltak: RuleSet) -> None:
    layers = [
        [rule.id for rule in smatiltak.rules[layer.start : layer.stop]]
        for layer in fused.rule_layers(smatiltak)
    ]
    assert layers[1] == ["unntatt_soknadsplikt"]  # reads four rules of the first layer
    assert "uten_ansvarsrett" in layers[2]
    assert sum(len(layer) for layer in layers) == len(smatiltak.rules)


def test_a_variant_bakes_outcomes_in_and_leaves_string_literals_alone(smatiltak: RuleSet) -> None:
    expression = smatiltak.rule("uten_ansvarsrett").applies_when
    assert expression is not None
    source = "r__unntatt_soknadsplikt == 'ikke_oppfylt' && 'r__unntatt_soknadsplikt' != ''"
    built = fused.Fused.build(source, [expression], {"unntatt_soknadsplikt"})
    assert built.reads == ("unntatt_soknadsplikt",)
    program = built.program(("ikke_oppfylt",))
    assert program is not None and program.execute({}) is True
    assert built.program(("oppfylt",)).execute({}) is False  # type: ignore[union-attr]
    assert built.program(("not an outcome",)) is None  # nothing safe to bake: the general one


def test_only_a_program_reading_nothing_but_its_key_is_closed(smatiltak: RuleSet) -> None:
    """A closed layer's outcomes are kept per key instead of run again for every case."""
    layers = fused.rule_layers(smatiltak)
    closed = [layer.fused is not None and layer.fused.closed for layer in layers]
    assert closed == [False, True, False]  # unntatt_soknadsplikt reads outcomes only
    table = fused.decision_table(smatiltak)
    assert table is not None and not table.fused.closed  # it reads the case too
    expression = smatiltak.rule("uten_ansvarsrett").applies_when
    assert expression is not None
    source = "r__unntatt_soknadsplikt == 'ikke_oppfylt'"
    assert fused.Fused.build(source, [expression], {"unntatt_soknadsplikt"}).closed
    assert not fused.Fused.build(source, [expression], set()).closed  # not an outcome


def test_values_and_has_keep_results_in_the_context() -> None:
    welfare = load_rule_set(CONTENT_ROOT / "rules" / "sosialhjelp-livsopphold")
    by_rule = {
        rule.id: layer for layer in fused.rule_layers(welfare)
        for rule in welfare.rules[layer.start : layer.stop]
    }  # fmt: skip
    assert by_rule["behov"].fused is None  # a calculation: rule by rule
    table = fused.decision_table(welfare)
    assert table is not None and table.fused.reads is not None
