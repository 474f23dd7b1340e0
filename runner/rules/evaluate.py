"""Evaluating a rule set for one case: each rule's outcome, trace and explanation; the decision."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import cel
from pydantic import BaseModel

from runner.errors import ConfigurationError, RuleSetError
from runner.models.registry import case_model, decision_date
from runner.models.results import Evaluation, RuleOutcome, RuleResult
from runner.rules import explanations
from runner.rules.decide import NOT_CLEAR, decide, is_true
from runner.rules.expressions import VarPath, error_text
from runner.rules.ruleset import ContextScope, Rule, RuleSet

OPPFYLT = RuleOutcome.oppfylt
IKKE_OPPFYLT = RuleOutcome.ikke_oppfylt
UAVKLART = RuleOutcome.uavklart
IKKE_AKTUELT = RuleOutcome.ikke_aktuelt
_MISSING = object()


def _number(result: object) -> float | int:
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise TypeError(f"uttrykket ga {result!r}, ventet et tall")
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(f"uttrykket ga {result!r}, ikke et endelig tall")
    return result


def _lookup(data: Mapping[str, Any], path: VarPath, missing: Any = _MISSING) -> Any:
    """The value at `path`, or `missing` where a key is not there."""
    current: Any = data
    for name in path:
        if not isinstance(current, dict) or name not in current:
            return missing
        current = current[name]
    return current


def _flat(
    data: Mapping[str, Any],
    flat: tuple[tuple[str, VarPath], ...],
    has: tuple[tuple[str, VarPath], ...],
    whole: frozenset[str],
) -> dict[str, Any]:
    """The flat variables for these paths; a missing path gives no variable (as in CEL)."""
    variables: dict[str, Any] = {}
    for name, path in flat:
        value = _lookup(data, path)
        if value is not _MISSING:
            variables[name] = value
    for name, path in has:
        parent = _lookup(data, path[:-1])
        if isinstance(parent, dict):
            variables[name] = path[-1] in parent
    for root in whole:
        variables[root] = data[root]
    return variables


def _results(data: Mapping[str, Any], scope: ContextScope) -> dict[str, Any]:
    return _flat(data, scope.result_flat, scope.result_has, scope.result_whole)


def _context(data: Mapping[str, Any], scope: ContextScope, **extra: Any) -> cel.Context:
    """A CEL context holding only the flat variables `scope` reads (conversion costs time)."""
    variables = _flat(data, scope.flat, scope.has, scope.whole)
    variables.update(_results(data, scope))
    variables.update(extra)
    try:
        return cel.Context(variables)
    except ValueError as error:  # the bindings cannot convert a value (e.g. a date in k)
        raise ConfigurationError(
            f"Values cannot be handed to the rules: {error}",
            fix="Kommune parameters (k) must be numbers, text, true/false, lists or mappings; "
            "write dates as 'YYYY-MM-DD' text.",
        ) from error


class _Run:
    """The state of one evaluation: one CEL context, the outcomes and values so far."""

    def __init__(self, rule_set: RuleSet, data: dict[str, Any]) -> None:
        self.rule_set = rule_set
        self.data = data
        self.outcomes: dict[str, str] = data["r"]
        self.values: dict[str, float | int] = data["v"]
        self.scope = rule_set.plan.rules
        self.context = _context(data, self.scope)
        self.changed: set[str] = set()  # results not yet put in the context
        self.template_variables = dict(data)

    def refresh_results(self) -> None:
        """Put the current r and v in the context (this discards its converted cache)."""
        self.context.update(_results(self.data, self.scope))
        self.changed.clear()

    def run(self, rule: Rule) -> RuleResult:
        changed = self.changed
        wanted = rule.result_ids
        if rule.reads_results and changed and (wanted is None or not wanted.isdisjoint(changed)):
            self.refresh_results()
        data = self.data
        values = {name: _lookup(data, path, None) for name, path in rule.named_paths}
        outcome, value, error = self._outcome(rule)
        if error is not None:
            explanation = explanations.fallback(error)
        elif outcome is IKKE_AKTUELT:
            explanation = dict(explanations.NOT_APPLICABLE)
        else:
            explanation, error = self._explain(rule, outcome, value, values)
            if error is not None:
                outcome, value = UAVKLART, None
        self.outcomes[rule.id] = outcome.value
        if value is not None:
            self.values[rule.id] = value
        ids = self.scope.result_ids
        if ids is None or rule.id in ids:
            changed.add(rule.id)
        return RuleResult(
            rule_id=rule.id,
            title=dict(rule.title),
            outcome=outcome,
            legal_basis=list(rule.legal_basis),
            values=values,
            value=value,
            explanation=explanation,
            error=error,
        )

    def _explain(
        self, rule: Rule, outcome: RuleOutcome, value: float | int | None, values: dict[str, Any]
    ) -> tuple[dict[str, str], str | None]:
        variables = self.template_variables
        variables["outcome"] = outcome.value
        variables["values"] = values
        if value is not None:
            variables["v"] = {**self.values, rule.id: value}
        try:
            return {
                language: explanations.render(template, variables)
                for language, template in rule.explanation.items()
            }, None
        except Exception as failure:  # a broken template must not stop the case
            error = f"Forklaringen kunne ikke lages: {type(failure).__name__}: {failure}"
            return explanations.fallback(error), error
        finally:
            variables["v"] = self.values

    def _outcome(self, rule: Rule) -> tuple[RuleOutcome, float | int | None, str | None]:
        context = self.context
        try:
            if rule.applies_when is not None and not is_true(rule.applies_when.execute(context)):
                return IKKE_AKTUELT, None, None
            if rule.uncertain_when is not None and is_true(rule.uncertain_when.execute(context)):
                return UAVKLART, None, None
            value = _number(rule.value.execute(context)) if rule.value is not None else None
            if rule.condition is None:
                return OPPFYLT, value, None
            met = is_true(rule.condition.execute(context))
            return (OPPFYLT if met else IKKE_OPPFYLT), value, None
        except Exception as error:  # any runtime failure makes the rule uavklart, never a crash
            return UAVKLART, None, self._describe(rule, error)

    def _describe(self, rule: Rule, error: Exception) -> str:
        """A Norwegian sentence naming the missing fact, plus the technical error."""
        technical = error_text(error)
        detail = ""
        for path in rule.paths:
            name = ".".join(path)
            if path[0] in ("p", "p_from") and len(path) > 1 and path[1] not in self.data["p"]:
                first = self.rule_set.first_value_date(path[1])
                since = f" (første verdi gjelder fra {first.isoformat()})" if first else ""
                when = self.data["decision_date"]
                detail = f"parameteren «{path[1]}» har ingen verdi som gjelder {when}{since}"
                break
            found = _lookup(self.data, path)
            if found is _MISSING:
                detail = f"«{name}» finnes ikke"
                break
            if found is None and not detail:
                detail = f"«{name}» mangler verdi (null)"
        head = f"Regelen kunne ikke vurderes: {detail}" if detail else "Regelen kunne ikke vurderes"
        return f"{head} [{technical}]"


def evaluate(
    rule_set: RuleSet,
    case: BaseModel,
    *,
    on: date | None = None,
    kommune: Mapping[str, Any] | None = None,
) -> Evaluation:
    """Evaluate every rule of `rule_set` for `case`, then its decision table.

    `on` (the decision date) defaults to the case's own date; it selects parameter values.
    The caller picks the version valid on that date (RuleSetCatalog.get); this function
    does not refuse a date outside the version's validity. `kommune` is the kommune's own
    parameters, seen by expressions as `k`. A rule that fails at runtime is `uavklart` with
    its `error` set; a rule that does not apply gets a standard explanation instead of its
    template.
    """
    expected = case_model(rule_set.case_type)
    if not isinstance(case, expected):
        raise RuleSetError(
            f"Rule set '{rule_set.id}' is for {expected.__name__} cases, not {type(case).__name__}",
            file=rule_set.path / "ruleset.yaml",
            fix="Check which rule set the robot names (rule_set) against its case_model.",
        )
    day = on if on is not None else decision_date(case)
    parameters, parameters_from = rule_set.resolve_parameters(day)
    data: dict[str, Any] = {
        "case": case.model_dump(mode="json"),
        "p": parameters,
        "p_from": parameters_from,
        "k": dict(kommune or {}),
        "decision_date": day.isoformat(),
        "r": {},
        "v": {},
    }
    run = _Run(rule_set, data)
    results = [run.run(rule) for rule in rule_set.rules]
    outcomes = run.outcomes
    decision_context = _context(
        data,
        rule_set.plan.decision,
        any_uncertain=UAVKLART.value in outcomes.values(),
        all_met=not any(outcome in NOT_CLEAR for outcome in outcomes.values()),
    )
    return Evaluation(
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        rule_set_hash=rule_set.hash,
        decision_date=data["decision_date"],
        parameters=dict(parameters),
        results=results,
        decision=decide(rule_set.decision_rows, decision_context, outcomes, run.values),
    )
