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
from runner.rules.expressions import (
    RULE_VARIABLES,
    Expression,
    VarPath,
    compile_expression,
    error_text,
)
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


_guideline_expressions: dict[str, Expression] = {}


def guideline_expression(source: str) -> Expression:
    """A kommune guideline's conditions, compiled once per text (ExpressionError if wrong)."""
    found = _guideline_expressions.get(source)
    if found is None:
        if len(_guideline_expressions) > 256:
            _guideline_expressions.clear()
        found = _guideline_expressions[source] = compile_expression(source, RULE_VARIABLES)
    return found


def expression_context(expression: Expression, data: Mapping[str, Any]) -> cel.Context:
    """A CEL context holding just the flat variables `expression` reads from `data`."""
    values: dict[str, Any] = {}
    for path in expression.flat:
        found = lookup(data, path)
        if found is not MISSING:
            values["__".join(path)] = found
    for path in expression.has:
        present = _present(data, path)
        if present is not MISSING:
            values["has__" + "__".join(path)] = present
    for root in expression.whole:
        values[root] = data[root]
    return _context(values)


def _context(values: dict[str, Any]) -> cel.Context:
    try:
        return cel.Context(values)
    except ValueError as error:  # the bindings cannot convert a value (e.g. a date in k)
        raise ConfigurationError(
            f"Values cannot be handed to the rules: {error}",
            fix="Kommune parameters (k) must be numbers, text, true/false, lists or "
            "mappings; write dates as 'YYYY-MM-DD' text.",
        ) from error


class Settled:
    """What `_settle` found: open or guided discretion, and facts still only declared."""

    __slots__ = ("discretion", "guideline", "guideline_problem", "unverified")

    def __init__(self) -> None:
        self.discretion: str | None = None
        self.guideline: dict[str, str] | None = None
        self.guideline_problem: str | None = None
        self.unverified: list[str] = []


class Run:
    """One evaluation: its CEL context, and the outcomes and values of the rules so far.

    `data` holds what expressions and templates see: `case` (the case as JSON), `p`,
    `p_from`, `k`, `decision_date`, and `r` and `v`, filled in as the rules run.
    """

    def __init__(
        self,
        rule_set: RuleSet,
        data: dict[str, Any],
        *,
        explain: bool,
        verified: Mapping[str, str] | None = None,
    ) -> None:
        self.rule_set = rule_set
        #: fact path (below `case`) → who verified it; every other fact is declared
        self.verified = dict(verified or {})
        self.open_discretion: list[str] = []
        self.unverified_rules: list[str] = []
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
        settled = Settled()
        if (
            error is None
            and outcome is not IKKE_AKTUELT
            and (rule.spec.discretion is not None or rule.spec.requires_verified)
        ):
            outcome, settled, error = self._settle(rule, outcome)
        explanation: dict[str, str]
        if error is not None:
            explanation = explanations.fallback(error)
        elif outcome is IKKE_AKTUELT:
            explanation = explanations.NOT_APPLICABLE.copy()
        elif self.template_variables is None:
            explanation = {}
        else:
            explanation, error = self._explain(rule, outcome, value, values, settled)
            if error is not None:
                outcome, value = UAVKLART, None
        rule_id = rule.id
        if settled.discretion == "open":
            self.open_discretion.append(rule_id)
        if settled.unverified:
            self.unverified_rules.append(rule_id)
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
            "discretion": settled.discretion,
            "guideline": settled.guideline,
            "unverified": settled.unverified,
            "provenance": self._provenance(rule),
        }

    def _provenance(self, rule: Rule) -> dict[str, str]:
        """Each case fact the rule read: declared by the applicant, or verified (and by whom)."""
        verified = self.verified
        if not verified:
            return {name: "oppgitt" for name, _facts in rule.case_facts}
        found: dict[str, str] = {}
        for name, facts in rule.case_facts:
            source = next((verified[fact] for fact in facts if fact in verified), None)
            found[name] = "oppgitt" if source is None else f"kontrollert: {source}"
        return found

    def _verified_by(self, fact: str) -> str | None:
        """Who verified `fact` (or a fact that contains it, e.g. `plan` for `plan.conforms`)."""
        verified = self.verified
        if not verified:
            return None
        parts = fact.split(".")
        for end in range(len(parts), 0, -1):
            source = verified.get(".".join(parts[:end]))
            if source is not None:
                return source
        return None

    def _settle(self, rule: Rule, outcome: RuleOutcome) -> tuple[RuleOutcome, Settled, str | None]:
        """Facts that must be verified, then discretion: what the robot may not settle alone.

        A rule that would be `oppfylt` on a fact the applicant only declared is `uavklart`
        when the rule requires it verified. A discretionary rule whose discretion is in play
        is `uavklart` (a person decides) unless the kommune's guideline for this rule allows
        it and its conditions hold; then it is `oppfylt`, citing the guideline.
        """
        settled = Settled()
        if outcome is OPPFYLT:
            settled.unverified = [
                item.fact
                for item in rule.spec.requires_verified
                if self._verified_by(item.fact) is None
            ]
        spec = rule.discretion
        if spec is not None:
            try:
                if rule.discretion_when is not None:
                    in_play = is_true(rule.discretion_when.execute(self.context))
                else:
                    in_play = outcome is OPPFYLT
            except Exception as error:  # unknown: the discretion may be in play
                return UAVKLART, settled, self._describe(rule, error)
            if in_play:
                settled.discretion = "open"
                if spec.guideline and not settled.unverified:
                    self._apply_guideline(rule, settled)
        if settled.unverified or settled.discretion == "open":
            return UAVKLART, settled, None
        if settled.discretion == "guideline":
            return OPPFYLT, settled, None
        return outcome, settled, None

    def _apply_guideline(self, rule: Rule, settled: Settled) -> None:
        """Settle the discretion by the kommune's guideline for this rule, if it covers the case."""
        guidelines = self.data["k"].get("guidelines")
        entry = guidelines.get(rule.id) if isinstance(guidelines, dict) else None
        if not isinstance(entry, dict):
            return
        settled.guideline = {
            "reference": str(entry.get("reference", "")),
            "adopted": str(entry.get("adopted", "")),
        }
        try:
            expression = guideline_expression(str(entry.get("conditions", "")))
            holds = is_true(expression.execute(expression_context(expression, self.data)))
        except Exception as error:  # a broken guideline never lets the robot decide
            settled.guideline_problem = error_text(error)
            return
        if holds:
            settled.discretion = "guideline"
        else:
            settled.guideline_problem = "vilkårene i retningslinjene er ikke oppfylt"

    def decision(self) -> Decision:
        """The decision table over the outcomes, row by row."""
        texts = self.outcomes.values()
        any_uncertain = UAVKLART.value in texts
        all_met = not any_uncertain and IKKE_OPPFYLT.value not in texts
        self._hand_results({"any_uncertain": any_uncertain, "all_met": all_met})
        return decide(
            self.rule_set.decision_rows,
            self.context,
            self.outcomes,
            self.values,
            discretion=self.open_discretion,
            unverified=self.unverified_rules,
        )

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
        self,
        rule: Rule,
        outcome: RuleOutcome,
        value: float | int | None,
        values: dict[str, Any],
        settled: Settled,
    ) -> tuple[dict[str, str], str | None]:
        variables = self.template_variables
        assert variables is not None
        variables["outcome"] = outcome.value
        variables["values"] = values
        variables["discretion"] = settled.discretion
        variables["unverified"] = settled.unverified
        if value is not None:
            variables["v"] = {**self.values, rule.id: value}
        try:
            return {
                language: explanations.with_settled(
                    explanations.render(template, variables), language, rule.spec, settled
                )
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
