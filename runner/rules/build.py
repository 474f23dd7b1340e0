"""Compiling rules and the decision table, checking every name they refer to."""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from jinja2 import Template

from runner.errors import FieldProblem
from runner.models.results import LegalBasis
from runner.rules.explanations import ExplanationError, compile_template
from runner.rules.expressions import (
    DECISION_VARIABLES,
    RULE_VARIABLES,
    Expression,
    ExpressionError,
    VarPath,
    compile_expression,
    flat_name,
    has_name,
)
from runner.rules.ruleset import ContextScope, DecisionRow, Rule
from runner.rules.schema import DecisionRowSpec, RuleSpec, TestFileSpec
from runner.rules.yamlfile import YamlDocument

RULE_FIELDS = ("applies_when", "uncertain_when", "condition", "value", "discretion_when")
LANGUAGES = ("nb", "nn")


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def check_references(
    expression: Expression,
    *,
    earlier: Mapping[str, bool],
    all_rules: Collection[str],
    parameters: Collection[str],
    own_id: str | None = None,
) -> list[str]:
    """What is wrong with the rule ids and parameter names `expression` refers to.

    `earlier` maps the ids of rules evaluated before this expression to whether each is a
    calculation rule (only those have a `v.` value).
    """
    problems: list[str] = []
    for path in expression.paths:
        if len(path) < 2:
            continue
        root, name = path[0], path[1]
        if root in ("r", "v"):
            if name == own_id:
                problems.append(f"{root}.{name}: a rule cannot read its own result")
            elif name in earlier:
                if root == "v" and not earlier[name]:
                    problems.append(
                        f"v.{name}: rule '{name}' has no value (it is not a calculation "
                        f"rule); read its outcome with r.{name}"
                    )
            elif name in all_rules:
                problems.append(
                    f"{root}.{name}: rule '{name}' is evaluated later (rules run in file "
                    "order); move it above this rule"
                )
            else:
                hint = _suggest(name, all_rules)
                problems.append(f"unknown rule id '{name}' in {root}.{name}{hint}")
        elif root in ("p", "p_from") and name not in parameters:
            problems.append(
                f"unknown parameter '{name}' in {root}.{name}{_suggest(name, parameters)} "
                "(add it to parameters.yaml)"
            )
    return problems


def build_rules(
    specs: Sequence[RuleSpec], parameters: Collection[str], doc: YamlDocument
) -> tuple[tuple[Rule, ...], list[FieldProblem]]:
    """Compile every rule; return the rules and every problem found (with file lines)."""
    problems: list[FieldProblem] = []
    all_ids = [spec.id for spec in specs]
    earlier: dict[str, bool] = {}
    first_index: dict[str, int] = {}
    rules: list[Rule] = []
    for index, spec in enumerate(specs):
        if spec.id in first_index:
            problems.append(
                doc.problem(
                    "rules",
                    (index, "id"),
                    f"duplicate rule id '{spec.id}' (also rules[{first_index[spec.id]}])",
                    "give every rule a unique id",
                )
            )
        first_index.setdefault(spec.id, index)
        compiled: dict[str, Expression | None] = dict.fromkeys(RULE_FIELDS)
        for field in RULE_FIELDS:
            source = _rule_source(spec, field)
            where = (index, "discretion", "when") if field == "discretion_when" else (index, field)
            if source is None:
                continue
            try:
                expression = compile_expression(source, RULE_VARIABLES)
            except ExpressionError as error:
                problems.append(doc.problem("rules", where, str(error)))
                continue
            for reason in check_references(
                expression,
                earlier=earlier,
                all_rules=all_ids,
                parameters=parameters,
                own_id=spec.id,
            ):
                problems.append(doc.problem("rules", where, reason))
            compiled[field] = expression
        templates: dict[str, Template] = {}
        for language in LANGUAGES:
            try:
                templates[language] = compile_template(getattr(spec.explanation, language))
            except ExplanationError as error:
                where = (index, "explanation", language)
                fix = "check the jinja2 syntax; templates see only the names listed"
                problems.append(doc.problem("rules", where, str(error), fix))
        expressions = [expression for expression in compiled.values() if expression is not None]
        paths: dict[VarPath, None] = {}
        for expression in expressions:
            paths.update(dict.fromkeys(expression.paths))
        rules.append(
            Rule(
                id=spec.id,
                title=spec.title.as_dict(),
                legal_basis=tuple(LegalBasis(ref=b.ref, url=b.url) for b in spec.legal_basis),
                applies_when=compiled["applies_when"],
                uncertain_when=compiled["uncertain_when"],
                condition=compiled["condition"],
                value=compiled["value"],
                explanation=templates,
                spec=spec,
                paths=tuple(paths),
                named_paths=tuple((".".join(path), path) for path in paths),
                reads_results=any(expression.reads_results for expression in expressions),
                result_ids=result_ids(paths),
                discretion_when=compiled["discretion_when"],
                case_facts=tuple(
                    (".".join(path), fact_and_containers(path))
                    for path in paths
                    if path[0] == "case" and len(path) >= 2
                ),
            )
        )
        earlier[spec.id] = spec.value is not None
    return tuple(rules), problems


def _rule_source(spec: RuleSpec, field: str) -> str | None:
    """The CEL source of one of a rule's expressions (`discretion_when`: discretion.when)."""
    if field == "discretion_when":
        return spec.discretion.when if spec.discretion is not None else None
    source: str | None = getattr(spec, field)
    return source


def build_decision(
    specs: Sequence[DecisionRowSpec],
    rules: Sequence[Rule],
    parameters: Collection[str],
    doc: YamlDocument,
) -> tuple[tuple[DecisionRow, ...], list[FieldProblem]]:
    """Compile the decision table; it may read every rule's outcome and value."""
    problems: list[FieldProblem] = []
    known = {rule.id: rule.is_calculation for rule in rules}
    rows: list[DecisionRow] = []
    for index, spec in enumerate(specs):
        compiled: dict[str, Expression | None] = {"when": None, "urgent": None}
        for field in ("when", "urgent"):
            source = getattr(spec, field)
            if source is None:
                continue
            try:
                expression = compile_expression(source, DECISION_VARIABLES)
            except ExpressionError as error:
                problems.append(doc.problem("", ("decision", index, field), str(error)))
                continue
            for reason in check_references(
                expression, earlier=known, all_rules=list(known), parameters=parameters
            ):
                problems.append(doc.problem("", ("decision", index, field), reason))
            compiled[field] = expression
        when, urgent = compiled["when"], compiled["urgent"]
        rows.append(DecisionRow(index, when, spec.outcome, spec.route, urgent, spec.discretion))
    return tuple(rows), problems


def check_test_file(
    spec: TestFileSpec, rules: Sequence[Rule], doc: YamlDocument
) -> list[FieldProblem]:
    """Rule ids named in a test's expectations must exist (values: calculation rules only)."""
    problems: list[FieldProblem] = []
    known = {rule.id: rule.is_calculation for rule in rules}
    for index, test in enumerate(spec.tests):
        named: list[tuple[tuple[Any, ...], str, bool]] = []
        named += [(("rules", rule_id), rule_id, False) for rule_id in test.expect.rules]
        named += [(("values", rule_id), rule_id, True) for rule_id in test.expect.values or {}]
        reasons = enumerate(test.expect.reasons or [])
        named += [(("reasons", i), rule_id, False) for i, rule_id in reasons]
        for location, rule_id, needs_value in named:
            where = ("tests", index, "expect", *location)
            if rule_id not in known:
                reason = f"unknown rule id '{rule_id}'{_suggest(rule_id, known)}"
                problems.append(doc.problem("", where, reason))
            elif needs_value and not known[rule_id]:
                reason = f"rule '{rule_id}' is not a calculation rule and has no value"
                problems.append(doc.problem("", where, reason))
    return problems


def result_ids(paths: Iterable[VarPath]) -> frozenset[str] | None:
    """The rule ids named as r.<id> or v.<id>; None when `r` or `v` is used as a whole."""
    result_paths = [path for path in paths if path[0] in ("r", "v")]
    if any(len(path) == 1 for path in result_paths):
        return None
    return frozenset(path[1] for path in result_paths)


def scope(rules: Sequence[Rule], rows: Sequence[DecisionRow]) -> ContextScope:
    """The variables the rules and the decision table read."""
    expressions = [expression for rule in rules for expression in rule.expressions]
    expressions += [
        expression
        for row in rows
        for expression in (row.when, row.urgent)
        if expression is not None
    ]
    flat = dict.fromkeys(path for expression in expressions for path in expression.flat)
    has = dict.fromkeys(path for expression in expressions for path in expression.has)
    whole = {root for expression in expressions for root in expression.whole}
    results: dict[str, list[tuple[str, VarPath, bool]]] = {}
    for paths, name, is_has in ((flat, flat_name, False), (has, has_name, True)):
        for path in paths:
            if path[0] in ("r", "v"):
                results.setdefault(path[1], []).append((name(path), path, is_has))
    data_flat = tuple((flat_name(path), path) for path in flat if path[0] not in ("r", "v"))
    data_has = tuple((has_name(path), path) for path in has if path[0] not in ("r", "v"))
    case_fields = None
    if "case" not in whole:
        case_fields = {path[1] for _, path in (*data_flat, *data_has) if path[0] == "case"}
    return ContextScope(
        flat=data_flat,
        has=data_has,
        whole=tuple(sorted(whole - {"r", "v"})),
        results={rule_id: tuple(variables) for rule_id, variables in results.items()},
        result_whole=tuple(sorted(whole & {"r", "v"})),
        case_fields=case_fields,
    )


def fact_and_containers(path: tuple[str, ...]) -> tuple[str, ...]:
    """`case.plan.conforms` → ("plan.conforms", "plan"): the fact, then what contains it."""
    return tuple(".".join(path[1:end]) for end in range(len(path), 1, -1))
