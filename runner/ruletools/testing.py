"""Running a rule set's own tests (tests/*.yaml): each case patched, evaluated and checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from runner.models.registry import case_model
from runner.models.results import Evaluation, RuleOutcome
from runner.rules.evaluate import evaluate
from runner.rules.ruleset import RuleSet, RuleTestFile
from runner.rules.schema import ExpectSpec, RuleTestSpec


@dataclass(frozen=True)
class TestFailure:
    """One broken expectation: where, which test, and expected versus actual."""

    __test__ = False  # not a pytest class

    file: str  # e.g. rules/byggesak-smatiltak/tests/frittliggende.yaml
    test: str
    message: str

    def __str__(self) -> str:
        return f'{self.file}: "{self.test}": {self.message}'


@dataclass
class TestReport:
    """The result of running one rule set's tests."""

    __test__ = False  # not a pytest class

    rule_set_id: str
    version: str
    passed: int = 0
    failed: int = 0
    failures: list[TestFailure] = field(default_factory=list)
    #: rule id → outcome → how many tests gave that outcome (for coverage)
    outcome_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    #: rule id → how many of its `uavklart` came from a runtime error, not `uncertain_when`
    error_counts: dict[str, int] = field(default_factory=dict)
    #: rule id → how many of its `uavklart` were left to a person: open discretion or a fact
    #: that is only declared (the rule's own "not settled by the robot" side)
    settled_counts: dict[str, int] = field(default_factory=dict)
    #: rule id → {"open": tests where its discretion went to a person, "guideline": tests
    #: where a kommune guideline settled it, "auto": tests where it was open yet auto}
    discretion_counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.failed == 0


def deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """`patch` over `base`: mappings merge key by key, everything else (lists too) replaces."""
    merged = dict(base)
    for key, value in patch.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _close(expected: float, actual: float | int) -> bool:
    return math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-9)


def compare(expect: ExpectSpec, evaluation: Evaluation) -> list[str]:
    """Every way `evaluation` differs from `expect`, as readable sentences."""
    problems: list[str] = []
    results = {result.rule_id: result for result in evaluation.results}
    for rule_id, outcome in expect.rules.items():
        result = results[rule_id]
        if result.outcome != outcome:
            detail = f" ({result.error})" if result.error else ""
            problems.append(
                f"rule {rule_id} expected {outcome.value}, got {result.outcome.value}{detail}"
            )
    decision = evaluation.decision
    if expect.outcome is not None and decision.outcome != expect.outcome:
        problems.append(
            f"outcome expected {expect.outcome}, got {decision.outcome} "
            f"(matched: {decision.matched}; reasons: {', '.join(decision.reasons) or '-'})"
        )
    if expect.route is not None and decision.route != expect.route:
        problems.append(
            f"route expected {expect.route.value}, got {decision.route.value} "
            f"(reasons: {', '.join(decision.reasons) or '-'})"
        )
    if expect.urgent is not None and decision.urgent != expect.urgent:
        problems.append(f"urgent expected {expect.urgent}, got {decision.urgent}")
    if expect.reasons is not None and decision.reasons != expect.reasons:
        problems.append(f"reasons expected {expect.reasons}, got {decision.reasons}")
    for rule_id, number in (expect.values or {}).items():
        actual = results[rule_id].value
        if actual is None or not _close(number, actual):
            problems.append(f"value {rule_id} expected {number}, got {actual}")
    return problems


def _run_one(
    rule_set: RuleSet, file: RuleTestFile, test: RuleTestSpec
) -> tuple[Evaluation | None, list[str]]:
    raw = deep_merge(file.spec.base, test.patch)
    try:
        case = case_model(rule_set.case_type).model_validate(raw)
    except ValidationError as error:
        problems = [
            f"case is invalid: {'.'.join(str(part) for part in item['loc'])}: {item['msg']}"
            for item in error.errors(include_url=False)
        ]
        return None, problems
    try:
        evaluation = evaluate(rule_set, case, on=test.on, kommune=test.kommune)
    except Exception as error:  # report, do not stop the other tests
        return None, [f"evaluation raised {type(error).__name__}: {error}"]
    return evaluation, compare(test.expect, evaluation)


def run_rule_tests(rule_set: RuleSet) -> TestReport:
    """Run every test in the rule set's tests/*.yaml and report what broke."""
    report = TestReport(rule_set_id=rule_set.id, version=rule_set.version)
    counts = {rule.id: dict.fromkeys((o.value for o in RuleOutcome), 0) for rule in rule_set.rules}
    errors = dict.fromkeys((rule.id for rule in rule_set.rules), 0)
    settled = dict.fromkeys((rule.id for rule in rule_set.rules), 0)
    discretion = {
        rule.id: {"open": 0, "guideline": 0, "auto": 0}
        for rule in rule_set.rules
        if rule.discretion is not None
    }
    shown_folder = f"{rule_set.path.parent.name}/{rule_set.path.name}"
    for file in rule_set.tests:
        for test in file.spec.tests:
            evaluation, problems = _run_one(rule_set, file, test)
            if evaluation is not None:
                auto = evaluation.decision.route.value == "auto"
                for result in evaluation.results:
                    counts[result.rule_id][result.outcome.value] += 1
                    if result.error is not None:
                        errors[result.rule_id] += 1
                    elif result.unverified or result.discretion == "open":
                        settled[result.rule_id] += 1
                    if result.discretion is not None and result.rule_id in discretion:
                        discretion[result.rule_id][result.discretion] += 1
                        if result.discretion == "open" and auto:
                            discretion[result.rule_id]["auto"] += 1
            if problems:
                report.failed += 1
                report.failures += [
                    TestFailure(f"{shown_folder}/{file.relative}", test.name, problem)
                    for problem in problems
                ]
            else:
                report.passed += 1
    report.outcome_counts = counts
    report.error_counts = errors
    report.settled_counts = settled
    report.discretion_counts = discretion
    return report


def coverage_gaps(rule_set: RuleSet, report: TestReport) -> dict[str, list[str]]:
    """Rule id → the sides no test shows: "oppfylt", and "ikke_oppfylt" for a condition.

    The not-met side may be shown as `ikke_oppfylt`, or as `uavklart` through the rule's own
    `uncertain_when` (a rule whose condition can only fail as uncertain, e.g. a request for
    dispensation), or as `uavklart` left to a person (open discretion, a fact only
    declared); a `uavklart` from a runtime error does not count. A pure calculation
    (a `value` without a `condition`) only needs to be computed once.
    """
    gaps: dict[str, list[str]] = {}
    for rule in rule_set.rules:
        counts = report.outcome_counts.get(rule.id, {})
        missing = [] if counts.get(RuleOutcome.oppfylt.value) else [RuleOutcome.oppfylt.value]
        if rule.condition is not None:
            uncertain = counts.get(RuleOutcome.uavklart.value, 0)
            left_to_a_person = report.settled_counts.get(rule.id, 0)
            by_uncertain_when = uncertain - report.error_counts.get(rule.id, 0) - left_to_a_person
            shown = (
                counts.get(RuleOutcome.ikke_oppfylt.value, 0)
                or (rule.uncertain_when is not None and by_uncertain_when > 0)
                or left_to_a_person > 0
            )
            if not shown:
                missing.append(RuleOutcome.ikke_oppfylt.value)
        if missing:
            gaps[rule.id] = missing
    return gaps
