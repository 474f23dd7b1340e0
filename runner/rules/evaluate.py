"""Evaluating a rule set for one case: each rule's outcome, trace and explanation; the decision."""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import cel
from pydantic import BaseModel

from runner.errors import RuleSetError
from runner.models.registry import case_model, decision_date
from runner.models.results import Decision, Evaluation, RuleOutcome, RuleResult
from runner.rules import explanations
from runner.rules.construct import trusted
from runner.rules.decide import NOT_CLEAR, decide, decided, first_hit, is_true
from runner.rules.expressions import VarPath, error_text, flat_name
from runner.rules.fused import OUTCOMES, Layer, decision_table, rule_layers
from runner.rules.live import MISSING, LiveContext, live_contexts, lookup
from runner.rules.ruleset import Rule, RuleSet
from runner.rules.scopes import case_fields_read, rule_scopes

OPPFYLT = RuleOutcome.oppfylt
IKKE_OPPFYLT = RuleOutcome.ikke_oppfylt
UAVKLART = RuleOutcome.uavklart
IKKE_AKTUELT = RuleOutcome.ikke_aktuelt
_TEXT = {outcome: outcome.value for outcome in RuleOutcome}  # .value is a slow property
# construct.trusted inlined for the one result per rule (same fields, same order)
_new = object.__new__
_set = object.__setattr__
_RESULT_FIELDS = {
    "rule_id", "title", "outcome", "legal_basis", "values", "value", "explanation", "error"
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Step:
    """What running one rule needs, looked up once per rule set."""

    rule: Rule
    programs: tuple[cel.Program | None, ...]  # applies_when, uncertain_when, value, condition
    syncs: bool  # whether it reads results of earlier rules (r, v)
    is_read: bool  # whether some rule reads its result
    rule_id: str
    title: Mapping[str, str]
    legal_basis: tuple[Any, ...]
    flat_trace: tuple[tuple[str, str], ...]  # (path as written, flat variable in the context)
    result_trace: tuple[tuple[str, str, str], ...]  # (path as written, "r" or "v", rule id)
    other_trace: tuple[tuple[str, VarPath], ...]  # other paths read from the data (has(...))


_steps: weakref.WeakKeyDictionary[RuleSet, tuple[_Step, ...]] = weakref.WeakKeyDictionary()


def _rule_steps(rule_set: RuleSet) -> tuple[_Step, ...]:
    steps = _steps.get(rule_set)
    if steps is None:
        read = rule_set.plan.rules.result_ids
        plain, readers = (
            {name for name, _ in scope.flat} for scope in rule_scopes(rule_set)
        )  # the variables of the context each rule runs in
        steps = _steps[rule_set] = tuple(
            _step(rule, readers if rule.reads_results else plain, read) for rule in rule_set.rules
        )
    return steps


def _step(rule: Rule, in_context: set[str], read: frozenset[str] | None) -> _Step:
    flat_trace: list[tuple[str, str]] = []
    result_trace: list[tuple[str, str, str]] = []
    other_trace: list[tuple[str, VarPath]] = []
    for name, path in rule.named_paths:
        flat = flat_name(path)
        if len(path) == 2 and path[0] in ("r", "v"):  # the context may hold older results
            result_trace.append((name, path[0], path[1]))
        elif flat in in_context:
            flat_trace.append((name, flat))
        else:
            other_trace.append((name, path))
    parts = (rule.applies_when, rule.uncertain_when, rule.value, rule.condition)
    programs = tuple(part.program if part is not None else None for part in parts)
    is_read = read is None or rule.id in read
    return _Step(
        rule,
        programs,
        rule.reads_results,
        is_read,
        rule.id,
        rule.title,
        tuple(rule.legal_basis),
        tuple(flat_trace),
        tuple(result_trace),
        tuple(other_trace),
    )


def _layer_outcomes(
    program: cel.Program, context: cel.Context, count: int
) -> list[RuleOutcome] | None:
    """The layer's outcomes from its one program; None if some rule failed."""
    try:
        packed = program.execute(context)
    except Exception:  # a rule failed: rule by rule says which and why
        return None
    if type(packed) is not int:
        return None
    return [OUTCOMES[(packed >> shift) & 3] for shift in range(0, 2 * count, 2)]


def _decide(rule_set: RuleSet, run: _Run, data: dict[str, Any]) -> Decision:
    """The decision table over the outcomes: with outcomes baked in where it can."""
    outcomes = run.outcomes
    any_uncertain = UAVKLART.value in outcomes.values()
    all_met = not any(outcome in NOT_CLEAR for outcome in outcomes.values())
    flags = {"any_uncertain": any_uncertain, "all_met": all_met}
    rows = rule_set.decision_rows
    table = decision_table(rule_set)
    reads = table.fused.reads if table is not None and table.in_rules_context else None
    if table is not None and reads is not None:
        fused = table.fused
        key = (*[outcomes[rule_id] for rule_id in reads], *[flags[f] for f in fused.flags])
        program = fused.program(key)
        if program is not None:
            picked = first_hit(program, run.context)
            if picked is not None:
                return decided(rows[picked[0]], picked[1], [], outcomes, run.values)
    decision_live = live_contexts(rule_set)[2]
    decision_live.load(data, flags)
    decision_live.sync(data)
    general = table.fused.general if table is not None else None
    return decide(rows, decision_live.context(), outcomes, run.values, general)


def _number(result: object) -> float | int:
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise TypeError(f"uttrykket ga {result!r}, ventet et tall")
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(f"uttrykket ga {result!r}, ikke et endelig tall")
    return result


class _Run:
    """The state of one evaluation: the live CEL context, the outcomes and values so far."""

    def __init__(
        self,
        rule_set: RuleSet,
        data: dict[str, Any],
        live: LiveContext,
        readers: LiveContext,
        explain: bool,
    ) -> None:
        self.rule_set = rule_set
        self.data = data
        self.outcomes: dict[str, str] = data["r"]
        self.values: dict[str, float | int] = data["v"]
        self.live = live  # for rules that read no results
        self.readers = readers  # for rules that do: loaded now, handed to CEL when first run
        self.changed: set[str] = set()  # results not yet put in the readers' context
        self.template_variables = dict(data) if explain else None
        live.load(data)
        self.context = live.context()
        if readers is not live:
            readers.load(data)

    def layer(self, layer: Layer, steps: tuple[_Step, ...]) -> list[RuleResult]:
        """Run one layer of rules: its one program, or rule by rule where that fails."""
        members = steps[layer.start : layer.stop]
        first = members[0]
        fused = layer.fused
        finish = self._finish
        if fused is not None:
            program = None
            if fused.reads is not None:  # outcomes baked in: the context needs no results
                outcomes = self.outcomes
                program = fused.program(tuple([outcomes[rule_id] for rule_id in fused.reads]))
                if first.syncs:
                    live, context = self.readers, self.readers.context()
                else:
                    live, context = self.live, self.context
            if program is None:
                live, context = self._context_for(first)
                program = fused.general
            found = _layer_outcomes(program, context, len(members)) if program else None
            if found is not None:
                return [
                    finish(step, live, outcome, None, None)
                    for step, outcome in zip(members, found, strict=True)
                ]
        live, context = self._context_for(first)  # rule by rule reads results in the context
        return [finish(step, live, *self._outcome(step, context)) for step in members]

    def _context_for(self, step: _Step) -> tuple[LiveContext, cel.Context]:
        """The context the rule runs in, with the results it may read brought up to date."""
        if not step.syncs:
            return self.live, self.context
        live = self.readers
        if self.changed:
            live.sync(self.data, self.changed)
            self.changed.clear()
        context = live.context()
        if live is self.live:  # one context for all the rules (a sync may rebuild it)
            self.context = context
        return live, context

    def _finish(
        self,
        step: _Step,
        live: LiveContext,
        outcome: RuleOutcome,
        value: float | int | None,
        error: str | None,
    ) -> RuleResult:
        """Record the rule's outcome and value; its result with trace and explanation."""
        get = live.values.get
        values = {name: get(flat) for name, flat in step.flat_trace}
        data = self.data
        for name, root, rule_id in step.result_trace:
            values[name] = data[root].get(rule_id)
        for name, path in step.other_trace:
            values[name] = lookup(self.data, path, None)
        explanation: dict[str, str]
        if error is not None:
            explanation = explanations.fallback(error)
        elif outcome is IKKE_AKTUELT:
            explanation = explanations.NOT_APPLICABLE.copy()
        elif self.template_variables is None:
            explanation = {}
        else:
            explanation, error = self._explain(step.rule, outcome, value, values)
            if error is not None:
                outcome, value = UAVKLART, None
        rule_id = step.rule_id
        self.outcomes[rule_id] = _TEXT[outcome]
        if value is not None:
            self.values[rule_id] = value
        if step.is_read:
            self.changed.add(rule_id)
        result = _new(RuleResult)
        _set(
            result,
            "__dict__",
            {
                "rule_id": rule_id,
                "title": dict(step.title),
                "outcome": outcome,
                "legal_basis": list(step.legal_basis),
                "values": values,
                "value": value,
                "explanation": explanation,
                "error": error,
            },
        )
        _set(result, "__pydantic_fields_set__", _RESULT_FIELDS.copy())
        _set(result, "__pydantic_extra__", None)
        _set(result, "__pydantic_private__", None)
        return result

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

    def _outcome(
        self, step: _Step, context: cel.Context
    ) -> tuple[RuleOutcome, float | int | None, str | None]:
        applies, uncertain, calculate, condition = step.programs
        try:
            if applies is not None and not is_true(applies.execute(context)):
                return IKKE_AKTUELT, None, None
            if uncertain is not None and is_true(uncertain.execute(context)):
                return UAVKLART, None, None
            value = _number(calculate.execute(context)) if calculate is not None else None
            if condition is None:
                return OPPFYLT, value, None
            met = is_true(condition.execute(context))
            return (OPPFYLT if met else IKKE_OPPFYLT), value, None
        except Exception as error:  # any runtime failure makes the rule uavklart, never a crash
            return UAVKLART, None, self._describe(step.rule, error)

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


def evaluate(
    rule_set: RuleSet,
    case: BaseModel,
    *,
    on: date | None = None,
    kommune: Mapping[str, Any] | None = None,
    explain: bool = True,
) -> Evaluation:
    """Evaluate every rule of `rule_set` for `case`, then its decision table.

    `on` (the decision date) defaults to the case's own date; it selects parameter values.
    The caller picks the version valid on that date (RuleSetCatalog.get); this function
    does not refuse a date outside the version's validity. `kommune` is the kommune's own
    parameters, seen by expressions as `k`. A rule that fails at runtime is `uavklart` with
    its `error` set; a rule that does not apply gets a standard explanation instead of its
    template. With `explain=False` the explanations of rules that were evaluated are left
    empty (outcomes, values read and the decision are the same): for callers that need
    only the outcomes, such as bulk what-if runs and benchmarks.
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
    # Without explanations only the fields the expressions name are read (values, trace and
    # error messages alike): dumping just those skips the rest, computed fields included.
    fields = None if explain else case_fields_read(rule_set)
    data: dict[str, Any] = {
        "case": case.model_dump(mode="json", include=fields),
        "p": parameters,
        "p_from": parameters_from,
        "k": dict(kommune or {}),
        "decision_date": day.isoformat(),
        "r": {},
        "v": {},
    }
    rules_live, readers_live, decision_live = live_contexts(rule_set)
    try:
        run = _Run(rule_set, data, rules_live, readers_live, explain)
        steps = _rule_steps(rule_set)
        results = [result for layer in rule_layers(rule_set) for result in run.layer(layer, steps)]
        decision = _decide(rule_set, run, data)
    except BaseException:
        rules_live.discard()  # an evaluation stopped half-way: start the next one afresh
        if readers_live is not rules_live:
            readers_live.discard()
        decision_live.discard()
        raise
    return trusted(
        Evaluation,
        {
            "rule_set_id": rule_set.id,
            "rule_set_version": rule_set.version,
            "rule_set_hash": rule_set.hash,
            "decision_date": data["decision_date"],
            "parameters": dict(parameters),
            "kommune_parameters": dict(kommune or {}),
            "results": results,
            "decision": decision,
        },
    )
