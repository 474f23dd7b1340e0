"""Running a rule set's rules for one case: layer by layer, then the decision table.

`Run` holds one evaluation's state. It records each rule's outcome, value and error, and,
when asked for a trace, builds each rule's result (the values it read, its explanation).
"""

from __future__ import annotations

import math
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cel

from runner.models.results import Decision, RuleOutcome, RuleResult
from runner.rules import explanations
from runner.rules.decide import UAVKLART_TEXT, decide, decided, first_hit, is_true
from runner.rules.expressions import VarPath, error_text, flat_name
from runner.rules.fused import (
    OUTCOMES,
    Fused,
    Layer,
    Table,
    decision_table,
    deferred_names,
    rule_layers,
)
from runner.rules.live import MISSING, LiveContext, live_contexts, lookup
from runner.rules.ruleset import Rule, RuleSet
from runner.rules.scopes import case_fields_read, projection_key, rule_scopes

OPPFYLT = RuleOutcome.oppfylt
IKKE_OPPFYLT = RuleOutcome.ikke_oppfylt
UAVKLART = RuleOutcome.uavklart
IKKE_AKTUELT = RuleOutcome.ikke_aktuelt
_TEXT = {outcome: outcome.value for outcome in RuleOutcome}  # .value is a slow property
_IKKE_OPPFYLT_TEXT = RuleOutcome.ikke_oppfylt.value
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


def rule_steps(rule_set: RuleSet) -> tuple[_Step, ...]:
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


def _packed(program: cel.Program, context: cel.Context) -> int | None:
    """The layer's outcome codes from its one program; None if some rule failed."""
    try:
        packed = program.execute(context)
    except Exception:  # a rule failed: rule by rule says which and why
        return None
    return packed if type(packed) is int else None


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """One layer with its rules' steps, and its outcome codes decoded once per code.

    A layer's program gives few distinct codes over many cases; decoding one (two bits a
    rule) into outcomes and their texts costs more than looking it up.
    """

    layer: Layer
    members: tuple[_Step, ...]
    #: members whose results some rule reads: they go into `Run.changed`
    read_ids: tuple[str, ...]
    #: code → (each member's outcome, {rule id: outcome text})
    decoded: dict[int, tuple[tuple[RuleOutcome, ...], dict[str, str]]] = field(
        default_factory=dict
    )
    #: for a `Fused.closed` program: variant key → its code (None: it failed)
    constants: dict[tuple[object, ...], int | None] = field(default_factory=dict)

    def closed_code(
        self, key: tuple[object, ...], program: cel.Program, context: cel.Context
    ) -> int | None:
        """The code of the layer's `Fused.closed` program for `key`: its key says it all, so
        it is run once per key and kept; None if it failed."""
        constants = self.constants
        packed = constants.get(key, MISSING)
        if packed is MISSING:
            packed = _packed(program, context)
            if len(constants) < MAX_DECODED:
                constants[key] = packed
        return packed  # type: ignore[no-any-return]

    def decode(self, packed: int) -> tuple[tuple[RuleOutcome, ...], dict[str, str]]:
        found = self.decoded.get(packed)
        if found is None:
            outcomes = tuple(
                OUTCOMES[(packed >> shift) & 3] for shift in range(0, 2 * len(self.members), 2)
            )
            texts = {
                step.rule_id: _TEXT[outcome]
                for step, outcome in zip(self.members, outcomes, strict=True)
            }
            if len(self.decoded) < MAX_DECODED:
                self.decoded[packed] = (outcomes, texts)
            found = outcomes, texts
        return found


#: Codes decoded and kept per layer at most (each of up to 4^31 codes is possible).
MAX_DECODED = 4096


def layer_plans(steps: tuple[_Step, ...], layers: tuple[Layer, ...]) -> tuple[LayerPlan, ...]:
    plans = []
    for layer in layers:
        members = steps[layer.start : layer.stop]
        read = tuple(step.rule_id for step in members if step.is_read)
        plans.append(LayerPlan(layer, members, read))
    return tuple(plans)


@dataclass(eq=False)
class Prepared:
    """What evaluating a rule set needs, looked up once: one cache lookup per case."""

    steps: tuple[_Step, ...]
    layers: tuple[LayerPlan, ...]
    table: Table | None
    case_fields: set[str] | None  # the case's top-level fields the rule set reads
    local: threading.local = field(default_factory=threading.local)

    def contexts(self, rule_set: RuleSet) -> tuple[LiveContext, LiveContext, LiveContext]:
        """This thread's contexts for the rule set (`live.live_contexts`)."""
        found: tuple[LiveContext, LiveContext, LiveContext] | None
        found = getattr(self.local, "contexts", None)
        if found is None:
            found = self.local.contexts = live_contexts(rule_set)
            plain, readers = deferred_names(rule_set)
            found[0].defer(plain)
            if found[1] is not found[0]:
                found[1].defer(readers)
        return found


_prepared: weakref.WeakKeyDictionary[RuleSet, Prepared] = weakref.WeakKeyDictionary()


def prepare(rule_set: RuleSet) -> Prepared:
    """The rule set's steps, layers, decision table and the case fields it reads."""
    found = _prepared.get(rule_set)
    if found is None:
        steps = rule_steps(rule_set)
        found = _prepared[rule_set] = Prepared(
            steps,
            layer_plans(steps, rule_layers(rule_set)),
            decision_table(rule_set),
            case_fields_read(rule_set),
        )
    return found


def decide_table(
    rule_set: RuleSet, table: Table | None, run: Run, data: dict[str, Any]
) -> Decision:
    """The decision table over the outcomes: with outcomes baked in where it can."""
    outcomes = run.outcomes
    texts = outcomes.values()
    any_uncertain = UAVKLART_TEXT in texts
    all_met = any_uncertain is False and _IKKE_OPPFYLT_TEXT not in texts
    flags = {"any_uncertain": any_uncertain, "all_met": all_met}
    rows = rule_set.decision_rows
    reads = table.fused.reads if table is not None and table.in_rules_context else None
    if table is not None and reads is not None:
        fused = table.fused
        key: list[object] = [outcomes[rule_id] for rule_id in reads]
        if fused.flags:
            key += [flags[flag] for flag in fused.flags]
        program = _variant(fused, key, run.live, data)[1]
        if program is not None:
            picked = first_hit(program, run.live.context(full=False))
            if picked is not None:
                chosen = rows[picked[0]]
                return decided(chosen, picked[1], [], outcomes, run.values, any_uncertain)
    decision_live = live_contexts(rule_set)[2]  # the same objects `Prepared.contexts` has
    decision_live.load(data, flags)
    decision_live.sync(data)
    general = table.fused.general if table is not None else None
    return decide(rows, decision_live.context(), outcomes, run.values, general)


def _variant(
    fused: Fused, key: list[object], live: LiveContext, data: dict[str, Any]
) -> tuple[tuple[object, ...], cel.Program | None]:
    """The whole key and the variant of `fused` for `key` (outcomes, flags) and the lists
    and parameters it bakes in."""
    baked: list[object] = []
    if fused.keyed:
        get = live.values.get
        for name, fields in fused.keyed:
            value = get(name, MISSING)
            baked.append(value)
            key.append(projection_key(value, fields))
    parameters = None
    if fused.params:
        parameters = data["p"], data["p_from"]
        key.append((id(parameters[0]), id(parameters[1])))  # one pair for a whole period
    whole = tuple(key)
    found = fused.known(whole)
    if found is fused:  # not compiled yet: project the lists, write the literals, compile
        return whole, fused.program(whole, baked, parameters)
    return whole, found  # type: ignore[return-value]


def _number(result: object) -> float | int:
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise TypeError(f"uttrykket ga {result!r}, ventet et tall")
    if isinstance(result, float) and not math.isfinite(result):
        raise ValueError(f"uttrykket ga {result!r}, ikke et endelig tall")
    return result


class Run:
    """The state of one evaluation: the live CEL context, the outcomes and values so far."""

    def __init__(
        self,
        rule_set: RuleSet,
        data: dict[str, Any],
        live: LiveContext,
        readers: LiveContext,
        *,
        trace: bool,
        explain: bool,
    ) -> None:
        self.rule_set = rule_set
        self.data = data
        self.outcomes: dict[str, str] = data["r"]
        self.values: dict[str, float | int] = data["v"]
        self.errors: dict[str, str] = {}  # why a rule could not be evaluated (→ uavklart)
        #: each rule's result with its trace, in order (None: record outcomes only)
        self.results: list[RuleResult] | None = [] if trace or explain else None
        self.live = live  # for rules that read no results
        self.readers = readers  # for rules that do: loaded now, handed to CEL when first run
        self.changed: set[str] = set()  # results not yet put in the readers' context
        self.template_variables = dict(data) if explain else None
        live.load(data)
        self.context = live.context(full=False)  # the deferred values only where needed
        if readers is not live:
            readers.load(data)

    def layer(self, plan: LayerPlan) -> None:
        """Run one layer of rules: its one program, or rule by rule where that fails."""
        members = plan.members
        results = self.results
        found = self._fused(plan, members[0]) if plan.layer.fused is not None else None
        if found is not None:
            live, packed = found
            outcomes, texts = plan.decode(packed)
            if results is None:  # _record inlined: only outcomes, and no rule failed
                self.outcomes.update(texts)
                self.changed.update(plan.read_ids)
            else:
                finish = self._finish
                for step, outcome in zip(members, outcomes, strict=True):
                    results.append(finish(step, live, outcome, None, None))
            return
        live, context = self._context_for(members[0])  # rule by rule reads results there
        for step in members:
            outcome, value, error = self._outcome(step, context)
            if results is None:
                self._record(step, outcome, value, error)
            else:
                results.append(self._finish(step, live, outcome, value, error))

    def _fused(self, plan: LayerPlan, first: _Step) -> tuple[LiveContext, int] | None:
        """The layer's context and outcome codes from its one program; None if it cannot say."""
        fused = plan.layer.fused
        assert fused is not None
        program = None
        if fused.reads is not None:  # outcomes (and lists) baked in: no results in the context
            live = self.readers if first.syncs else self.live
            outcomes = self.outcomes
            key, program = _variant(fused, [outcomes[i] for i in fused.reads], live, self.data)
            context = live.context(full=False)
            if live is self.live:
                self.context = context
            if program is not None and fused.closed:
                packed = plan.closed_code(key, program, context)
                return None if packed is None else (live, packed)
        if program is None:
            live, context = self._context_for(first)
            program = fused.general
        if program is None:
            return None
        packed = _packed(program, context)
        return None if packed is None else (live, packed)

    def _record(
        self, step: _Step, outcome: RuleOutcome, value: float | int | None, error: str | None
    ) -> None:
        rule_id = step.rule_id
        self.outcomes[rule_id] = _TEXT[outcome]
        if value is not None:
            self.values[rule_id] = value
        if error is not None:
            self.errors[rule_id] = error
        if step.is_read:
            self.changed.add(rule_id)

    def _context_for(self, step: _Step) -> tuple[LiveContext, cel.Context]:
        """The context the rule runs in, whole, with the results it may read up to date."""
        if not step.syncs:
            self.context = self.live.context()
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
        """Record the rule's outcome; its result with the values it read and explanation."""
        get = live.values.get
        values = {name: get(flat) for name, flat in step.flat_trace}
        data = self.data
        for name, root, rule_id in step.result_trace:
            values[name] = data[root].get(rule_id)
        for name, path in step.other_trace:
            values[name] = lookup(data, path, None)
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
        self._record(step, outcome, value, error)
        rule_id = step.rule_id
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
