"""Running a rule set for one case: rule by rule, then the decision table row by row.

Every expression is compiled once, when the rule set is loaded, into a program over flat
variables (`expressions`: `case.measure.kind` is the variable `case__measure__kind`). A
case gets one CEL context holding the flat variables its rule set reads: the case's
values, the parameters, the kommune's own parameters. Each rule runs its applies_when,
uncertain_when, value and condition in that context; its outcome and value are added to
the context for the rules below it and the decision table. Each rule's result records the
values it read, its legal basis and, when asked for, its explanation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import cel

from runner.errors import ConfigurationError
from runner.models.results import Decision, RuleOutcome
from runner.rules import explanations
from runner.rules.decide import decide, is_true
from runner.rules.expressions import VarPath, error_text
from runner.rules.ruleset import Rule, RuleSet

#: Marks a path that is not in the data (as opposed to a null value).
MISSING: Any = object()
OPPFYLT = RuleOutcome.oppfylt
IKKE_OPPFYLT = RuleOutcome.ikke_oppfylt
UAVKLART = RuleOutcome.uavklart
IKKE_AKTUELT = RuleOutcome.ikke_aktuelt


def lookup(data: Mapping[str, Any], path: VarPath, missing: Any = MISSING) -> Any:
    """The value at `path`, or `missing` where a key is not there."""
    current: Any = data
    for name in path:
        if not isinstance(current, dict) or name not in current:
            return missing
        current = current[name]
    return current


def _present(data: Mapping[str, Any], path: VarPath) -> Any:
    """What `has(path)` gives: whether the last key is there; MISSING if its parent is not
    a map (then `has` fails, as it does on a path that is not there)."""
    parent = lookup(data, path[:-1])
    return path[-1] in parent if isinstance(parent, dict) else MISSING


def _number(result: object) -> float | int:
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise TypeError(f"uttrykket ga {result!r}, ventet et tall")
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(f"uttrykket ga {result!r}, ikke et endelig tall")
    return result


def _context(values: dict[str, Any]) -> cel.Context:
    try:
        return cel.Context(values)
    except ValueError as error:  # the bindings cannot convert a value (e.g. a date in k)
        raise ConfigurationError(
            f"Values cannot be handed to the rules: {error}",
            fix="Kommune parameters (k) must be numbers, text, true/false, lists or "
            "mappings; write dates as 'YYYY-MM-DD' text.",
        ) from error


class Run:
    """One evaluation: its CEL context, and the outcomes and values of the rules so far.

    `data` holds what expressions and templates see: `case` (the case as JSON), `p`,
    `p_from`, `k`, `decision_date`, and `r` and `v`, filled in as the rules run.
    """

    def __init__(self, rule_set: RuleSet, data: dict[str, Any], *, explain: bool) -> None:
        self.rule_set = rule_set
        self.scope = rule_set.variables
        self.data = data
        self.outcomes: dict[str, str] = data["r"]
        self.values: dict[str, float | int] = data["v"]
        #: rules run since their results were last handed to the context
        self.unhanded: list[str] = []
        self.template_variables = dict(data) if explain else None
        values: dict[str, Any] = {}
        for name, path in self.scope.flat:
            found = lookup(data, path)
            if found is not MISSING:
                values[name] = found
        for name, path in self.scope.has:
            present = _present(data, path)
            if present is not MISSING:
                values[name] = present
        for root in self.scope.whole:
            values[root] = data[root]
        self.context = _context(values)

    def rules(self) -> list[dict[str, Any]]:
        """Run every rule in order; each one's result (the fields of a `RuleResult`)."""
        return [self.rule(rule) for rule in self.rule_set.rules]

    def rule(self, rule: Rule) -> dict[str, Any]:
        """Run one rule; record its outcome and value; its result with the values it read."""
        reads = rule.result_ids
        if (
            rule.reads_results
            and self.unhanded
            and (reads is None or not reads.isdisjoint(self.unhanded))
        ):
            self._hand_results({})
        outcome, value, error = self._outcome(rule)
        data = self.data
        values = {name: lookup(data, path, None) for name, path in rule.named_paths}
        explanation: dict[str, str]
        if error is not None:
            explanation = explanations.fallback(error)
        elif outcome is IKKE_AKTUELT:
            explanation = explanations.NOT_APPLICABLE.copy()
        elif self.template_variables is None:
            explanation = {}
        else:
            explanation, error = self._explain(rule, outcome, value, values)
            if error is not None:
                outcome, value = UAVKLART, None
        rule_id = rule.id
        self.outcomes[rule_id] = outcome.value
        if value is not None:
            self.values[rule_id] = value
        self.unhanded.append(rule_id)
        return {
            "rule_id": rule_id,
            "title": rule.title,
            "outcome": outcome,
            "legal_basis": rule.legal_basis,
            "values": values,
            "value": value,
            "explanation": explanation,
            "error": error,
        }

    def decision(self) -> Decision:
        """The decision table over the outcomes, row by row."""
        texts = self.outcomes.values()
        any_uncertain = UAVKLART.value in texts
        all_met = not any_uncertain and IKKE_OPPFYLT.value not in texts
        self._hand_results({"any_uncertain": any_uncertain, "all_met": all_met})
        return decide(self.rule_set.decision_rows, self.context, self.outcomes, self.values)

    def _hand_results(self, values: dict[str, Any]) -> None:
        """Put `values` and the results of the rules run since the last time into the
        context (each change makes the bindings build its environment anew: only when a
        rule is about to read one of them)."""
        data = self.data
        for rule_id in self.unhanded:
            for name, path, is_has in self.scope.results.get(rule_id, ()):
                found = _present(data, path) if is_has else lookup(data, path)
                if found is not MISSING:
                    values[name] = found
        self.unhanded.clear()
        for root in self.scope.result_whole:
            values[root] = dict(data[root])
        if values:
            self.context.update(values)

    def _outcome(self, rule: Rule) -> tuple[RuleOutcome, float | int | None, str | None]:
        context = self.context
        try:
            if rule.applies_when is not None and not is_true(rule.applies_when.execute(context)):
                return IKKE_AKTUELT, None, None
            if rule.uncertain_when is not None and is_true(rule.uncertain_when.execute(context)):
                return UAVKLART, None, None
            value = None if rule.value is None else _number(rule.value.execute(context))
            if rule.condition is None:
                return OPPFYLT, value, None
            met = is_true(rule.condition.execute(context))
            return (OPPFYLT if met else IKKE_OPPFYLT), value, None
        except Exception as error:  # any runtime failure makes the rule uavklart, never a crash
            return UAVKLART, None, self._describe(rule, error)

    def _explain(
        self, rule: Rule, outcome: RuleOutcome, value: float | int | None, values: dict[str, Any]
    ) -> tuple[dict[str, str], str | None]:
        variables = self.template_variables
        assert variables is not None
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
            found = lookup(self.data, path)
            if found is MISSING:
                detail = f"«{name}» finnes ikke"
                break
            if found is None and not detail:
                detail = f"«{name}» mangler verdi (null)"
        head = f"Regelen kunne ikke vurderes: {detail}" if detail else "Regelen kunne ikke vurderes"
        return f"{head} [{technical}]"
