"""CEL expressions: compiling, the paths they name, flat variables."""

from __future__ import annotations

from datetime import date
from typing import Any

import cel
import pytest

from runner.models.registry import case_model
from runner.rules import RuleSet, evaluate
from runner.rules.expressions import (
    RULE_VARIABLES,
    Expression,
    ExpressionError,
    compile_expression,
    find_paths,
    flat_name,
    flatten,
    has_name,
    resolve_path,
)
from runner.ruletools.testing import deep_merge


def test_find_paths_names_every_dotted_path() -> None:
    source = "case.measure.built_area_m2 <= p.max_bya_m2 && r.plan == 'oppfylt' && k.x > v.sum"
    assert find_paths(source) == (
        ("case", "measure", "built_area_m2"),
        ("p", "max_bya_m2"),
        ("r", "plan"),
        ("k", "x"),
        ("v", "sum"),
    )


def test_find_paths_skips_methods_strings_and_longer_names() -> None:
    source = "case.attachments.exists(a, a.kind == 'r.not_a_path') && case.kind.size() > 0 && kind"
    assert find_paths(source) == (("case", "attachments"), ("case", "kind"))


def test_find_paths_tells_p_from_apart_from_p() -> None:
    assert find_paths("p_from.x <= decision_date") == (("p_from", "x"), ("decision_date",))


def test_compile_suggests_a_close_variable_name() -> None:
    expected = "unknown variable 'cas' in CEL expression; did you mean 'case'"
    with pytest.raises(ExpressionError, match=expected):
        compile_expression("cas.measure.kind == 'levegg'", RULE_VARIABLES)


def test_compile_accepts_macro_variables() -> None:
    expression = compile_expression("case.attachments.exists(a, a.kind == 'x')", RULE_VARIABLES)
    assert expression.variables == {"case"}
    assert not expression.reads_results


def test_compile_reports_syntax_errors() -> None:
    with pytest.raises(ExpressionError, match="CEL does not compile"):
        compile_expression("case.measure.kind ==", RULE_VARIABLES)


def test_variable_named_without_a_dot_is_kept_whole() -> None:
    expression = compile_expression("size(case) > 0 && r['x'] == 'oppfylt'", RULE_VARIABLES)
    assert ("case",) in expression.paths
    assert ("r",) in expression.paths
    assert expression.reads_results


def test_flatten_rewrites_paths_as_flat_variables() -> None:
    source = (
        "case.measure.kind in ['tilbygg'] && case.attachments.exists(a, a.kind == 'case.x')"
        " && has(k.maks_m2) && r . plan == 'oppfylt'"
        " && size(case.measure.use) > decision_date.size()"
    )
    text, flat, has = flatten(source)
    assert text == (
        "case__measure__kind in ['tilbygg'] && case__attachments.exists(a, a.kind == 'case.x')"
        " && has__k__maks_m2 && r__plan == 'oppfylt'"
        " && size(case__measure__use) > decision_date.size()"
    )
    assert flat == (
        ("case", "measure", "kind"),
        ("case", "attachments"),
        ("r", "plan"),
        ("case", "measure", "use"),
    )
    assert has == (("k", "maks_m2"),)


def test_flat_program_gives_the_same_result() -> None:
    expression = compile_expression(
        "case.measure.area <= p.max && (has(k.x) ? k.x > 1 : true)", RULE_VARIABLES
    )
    flat = {"case__measure__area": 12.0, "p__max": 15.0, "has__k__x": False}
    assert expression.execute(cel.Context(flat)) is True
    nested = {"case": {"measure": {"area": 12.0}}, "p": {"max": 15.0}, "k": {}}
    assert cel.compile(expression.source).execute(cel.Context(nested)) is True
    assert expression.flat == (("case", "measure", "area"), ("p", "max"), ("k", "x"))
    assert expression.has == (("k", "x"),)
    assert expression.whole == frozenset()


def test_missing_flat_variable_is_an_error_absorbed_like_a_missing_key() -> None:
    expression = compile_expression("true || case.measure.nothing > 1.0", RULE_VARIABLES)
    assert expression.execute(cel.Context({})) is True
    failing = compile_expression("case.measure.nothing > 1.0", RULE_VARIABLES)
    with pytest.raises(RuntimeError, match="case__measure__nothing"):
        failing.execute(cel.Context({}))


def test_roots_used_whole_are_kept_whole() -> None:
    expression = compile_expression("size(case) > 0 && decision_date > ''", RULE_VARIABLES)
    assert expression.whole == {"case", "decision_date"}


def test_comprehension_variable_named_like_a_root_is_refused() -> None:
    with pytest.raises(ExpressionError, match="'k' is used as a comprehension variable"):
        compile_expression("case.attachments.exists(k, k.kind == 'x')", RULE_VARIABLES)


def test_resolve_path_gives_none_for_missing() -> None:
    data = {"case": {"measure": {"length_m": None}}}
    assert resolve_path(data, ("case", "measure", "length_m")) is None
    assert resolve_path(data, ("case", "nothing", "here")) is None


def test_flat_programs_agree_with_nested_cel_on_every_rule_set_test(smatiltak: RuleSet) -> None:
    """The rewrite is invisible: each expression gives what plain CEL gives on nested data."""
    model = case_model(smatiltak.case_type)
    checked = 0
    for file in smatiltak.tests:
        for test in file.spec.tests:
            case = model.model_validate(deep_merge(file.spec.base, test.patch))
            evaluation = evaluate(smatiltak, case, on=test.on)
            day = date.fromisoformat(evaluation.decision_date)
            parameters, valid_from = smatiltak.resolve_parameters(day)
            data: dict[str, Any] = {
                "case": case.model_dump(mode="json"),
                "p": parameters,
                "p_from": valid_from,
                "k": {},
                "decision_date": evaluation.decision_date,
                "r": {item.rule_id: item.outcome.value for item in evaluation.results},
                "v": evaluation.decision.amounts,
                "any_uncertain": False,
                "all_met": False,
            }
            expressions = [e for rule in smatiltak.rules for e in rule.expressions]
            expressions += [
                e for row in smatiltak.decision_rows for e in (row.when, row.urgent) if e
            ]
            for expression in expressions:
                flat = _flat_variables(data, expression)
                assert _run(expression.program, flat) == _run(
                    cel.compile(expression.source), data
                ), (test.name, expression.source)
                checked += 1
    assert checked > 1000


def _flat_variables(data: dict[str, Any], expression: Expression) -> cel.Context:
    variables: dict[str, Any] = {name: data[name] for name in ("any_uncertain", "all_met")}
    for path in expression.flat:
        value = resolve_path(data, path)
        if value is not None or _has(data, path):
            variables[flat_name(path)] = value
    for path in expression.has:
        variables[has_name(path)] = _has(data, path)
    for root in expression.whole:
        variables[root] = data[root]
    return cel.Context(variables)


def _has(data: dict[str, Any], path: tuple[str, ...]) -> bool:
    parent = resolve_path(data, path[:-1])
    return isinstance(parent, dict) and path[-1] in parent


def _run(program: cel.Program, context: cel.Context | dict[str, Any]) -> object:
    try:
        return program.execute(context)
    except Exception:
        return "error"
