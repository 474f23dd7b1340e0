"""The verdict of a rule set whose layers and decision table each run as one program.

`Run` serves every kind of evaluation: a trace, explanations, rules run one by one,
syncing results into a context. A verdict of a rule set whose every layer and decision
table runs as a specialised program (`fused`: outcomes, lists and parameters baked in)
needs none of that when those programs succeed: load the case's values, run each layer's
program, decode its outcome codes, run the table's. `VerdictPlan` does only that, and
reads the case's values from the model (`reader.CaseReader`) instead of dumping it.

It gives up (None) at the first thing it does not do: a case its reader cannot vouch for,
a variant not compiled yet (or one that is the general program), a program that fails.
The caller then evaluates the case the usual way (`evaluate._run`), which gives the same
verdict: everything here is what the usual way does in that case, and the contexts are
left as it would find them (the same values loaded; lists baked into programs are not
handed to a context here, and the usual way loads them before anything reads them).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import cel
from pydantic import BaseModel

from runner.models.registry import case_model
from runner.models.results import Decision, Verdict
from runner.rules.construct import trusted
from runner.rules.decide import UAVKLART_TEXT, decided, first_hit
from runner.rules.engine import (
    _IKKE_OPPFYLT_TEXT,
    MAX_DECODED,
    LayerPlan,
    Prepared,
    _packed,
    prepare,
)
from runner.rules.fused import Fused, deferred_names
from runner.rules.reader import CaseReader
from runner.rules.ruleset import DecisionRow, RuleSet


@dataclass(frozen=True, slots=True)
class _FastLayer:
    """One layer's program and what its key is made of, as `engine._variant` makes it."""

    plan: LayerPlan | None  # None: the decision table
    fused: Fused
    context: int  # 0: the rules' context, 1: that of the rules reading results
    reads: tuple[str, ...]  # rule ids whose outcomes start the key
    keyed: tuple[str, ...]  # lists whose projection keys follow
    params: bool  # whether the identity of the day's parameters ends it


@dataclass(frozen=True, slots=True)
class _Known:
    """What the outcome codes of the layers run so far decide; kept per tuple of codes."""

    outcomes: dict[str, str]  # each rule's outcome text so far, in rule order (never changed)
    key: tuple[object, ...]  # the outcomes (and, for the table, flags) the next key starts with
    any_uncertain: bool  # whether some outcome so far is uavklart


@dataclass(eq=False, repr=False)
class VerdictPlan:
    """What `verdict` needs for one rule set, built once (see the module's docstring).

    A layer's outcome codes (`LayerPlan.decode`) are few over many cases, and everything
    drawn from them (the outcome texts, the next program's key, the flags, the decision
    but for its mutable parts) is computed once per combination that occurs (`_known`,
    `_decisions`) instead of for every case.
    """

    prepared: Prepared
    model: type[BaseModel]  # the case model: only cases of exactly this class are read
    readers: tuple[tuple[int, CaseReader], ...]  # each distinct context with its reader
    layers: tuple[_FastLayer, ...]
    table: _FastLayer  # its key starts with its outcomes, then `table_flags`
    table_flags: tuple[str, ...]
    rows: tuple[DecisionRow, ...]
    _known: dict[tuple[int, ...], _Known] = field(default_factory=dict)
    #: (codes of every layer, (row position, urgent)) → the decision's fields
    _decisions: dict[tuple[tuple[int, ...], tuple[int, bool]], dict[str, Any]] = field(
        default_factory=dict
    )

    def verdict(
        self,
        rule_set: RuleSet,
        case: BaseModel,
        day: date,
        kommune: Mapping[str, Any] | None,
    ) -> Verdict | None:
        """The verdict for `case` on `day`; None where the usual way must give it."""
        keys: list[dict[str, object]] = [{}, {}]
        read = []
        for index, reader in self.readers:
            found = reader.read(case)
            if found is None:
                return None
            read.append(found[0])
            keys[index] = found[1]
        parameters, parameters_from = rule_set.resolve_parameters(day)
        data: dict[str, Any] = {
            "p": parameters,
            "p_from": parameters_from,
            "k": dict(kommune or {}),
            "decision_date": day.isoformat(),
        }
        contexts = self.prepared.contexts(rule_set)
        try:
            handed: list[cel.Context] = []  # nothing changes them during the case: each
            for (index, reader), values in zip(self.readers, read, strict=True):  # asked once
                live = contexts[index]
                live.load_read(data, reader.names, values)
                handed.append(live.context(False))
            period = (id(parameters), id(parameters_from))
            codes: tuple[int, ...] = ()
            for layer in self.layers:
                key = _key(layer, self.known(codes).key, keys, period)
                packed = _code(layer, key, handed[layer.context])
                if packed is None:
                    return None
                codes += (packed,)
            known = self.known(codes)
            program = _program(self.table, _key(self.table, known.key, keys, period))
            if program is None:
                return None
            picked = first_hit(program, handed[0])
            if picked is None:
                return None
        except BaseException:
            for live in contexts:  # stopped half-way: start the next evaluation afresh
                live.discard()
            raise
        fields = self._decisions.get((codes, picked))
        if fields is None:
            fields = self._decision(codes, picked, known)
        decision = trusted(Decision, {**fields, "reasons": list(fields["reasons"]), "amounts": {}})
        return trusted(
            Verdict,
            {
                "rule_set_id": rule_set.id,
                "rule_set_version": rule_set.version,
                "rule_set_hash": rule_set.hash,
                "decision_date": data["decision_date"],
                "outcomes": dict(known.outcomes),
                "values": {},  # no calculation rules (they run one by one)
                "errors": {},
                "decision": decision,
            },
        )

    def known(self, codes: tuple[int, ...]) -> _Known:
        """The outcomes the codes of the first layers give, and the next program's key."""
        found = self._known.get(codes)
        if found is None:
            outcomes: dict[str, str] = {}
            for layer, packed in zip(self.layers, codes, strict=False):
                assert layer.plan is not None
                outcomes.update(layer.plan.decode(packed)[1])
            texts = outcomes.values()
            any_uncertain = UAVKLART_TEXT in texts
            flags = {"any_uncertain": any_uncertain}
            flags["all_met"] = any_uncertain is False and _IKKE_OPPFYLT_TEXT not in texts
            if len(codes) < len(self.layers):
                key: list[object] = [outcomes[rule_id] for rule_id in self.layers[len(codes)].reads]
            else:
                key = [outcomes[rule_id] for rule_id in self.table.reads]
                key += [flags[flag] for flag in self.table_flags]
            found = _Known(outcomes, tuple(key), any_uncertain)
            if len(self._known) < MAX_DECODED:
                self._known[codes] = found
        return found

    def _decision(
        self, codes: tuple[int, ...], picked: tuple[int, bool], known: _Known
    ) -> dict[str, Any]:
        """The fields of the decision (`decide.decided`) for row `picked` after `codes`."""
        chosen = self.rows[picked[0]]
        decision = decided(chosen, picked[1], [], known.outcomes, {}, known.any_uncertain)
        fields = dict(decision.__dict__)
        if len(self._decisions) < MAX_DECODED:
            self._decisions[(codes, picked)] = fields
        return fields


def _key(
    layer: _FastLayer,
    key: tuple[object, ...],
    keys: list[dict[str, object]],
    period: tuple[int, int],
) -> tuple[object, ...]:
    """The whole key of a variant: `key` (outcomes, flags), then the projection keys of the
    lists and the identity of the day's parameters, as `engine._variant` makes it."""
    if layer.keyed:
        lists = keys[layer.context]
        key += tuple([lists[name] for name in layer.keyed])
    if layer.params:
        key += (period,)
    return key


def _program(layer: _FastLayer, key: tuple[object, ...]) -> cel.Program | None:
    """The variant compiled for the whole key; None if there is none yet or it is general
    (`Fused.known`)."""
    found = layer.fused.known(key)
    return None if found is None or isinstance(found, Fused) else found


def _code(layer: _FastLayer, key: tuple[object, ...], context: cel.Context) -> int | None:
    """The layer's outcome codes, as `engine.Run._fused` gets them; None if it cannot."""
    assert layer.plan is not None
    program = _program(layer, key)
    if program is None:
        return None
    if layer.fused.closed:
        return layer.plan.closed_code(key, program, context)
    return _packed(program, context)


_UNBUILT: Any = object()
_plans: weakref.WeakKeyDictionary[RuleSet, VerdictPlan | None] = weakref.WeakKeyDictionary()


def verdict_plan(rule_set: RuleSet) -> VerdictPlan | None:
    """The rule set's plan; None if some layer or the table cannot run this way at all."""
    found = _plans.get(rule_set, _UNBUILT)
    if found is _UNBUILT:
        found = _plans[rule_set] = _build(rule_set)
    return found  # type: ignore[no-any-return]


def _build(rule_set: RuleSet) -> VerdictPlan | None:
    prepared = prepare(rule_set)
    table = prepared.table
    if table is None or not table.in_rules_context or table.fused.reads is None:
        return None
    if prepared.case_fields is None:  # the case is read whole
        return None
    contexts = prepared.contexts(rule_set)
    split = contexts[1] is not contexts[0]  # the rules reading results have their own
    layers: list[_FastLayer] = []
    for plan in prepared.layers:
        fused = plan.layer.fused
        if fused is None or fused.reads is None:  # calculations, or a general program
            return None
        layers.append(_fast_layer(plan, fused, 1 if split and plan.members[0].syncs else 0))
    fast_table = _fast_layer(None, table.fused, 0)
    deferred = deferred_names(rule_set)
    model = case_model(rule_set.case_type)
    readers: list[tuple[int, CaseReader]] = []
    for index in (0, 1) if split else (0,):
        live = contexts[index]
        keyed: dict[str, tuple[str, ...]] = {}
        for layer in (*layers, fast_table):
            if layer.context == index:
                for name, fields in layer.fused.keyed:
                    if keyed.setdefault(name, fields) != fields or name not in deferred[index]:
                        return None
        if live.case_whole:
            return None
        reader = CaseReader.build(model, live.case_groups, keyed)
        if reader is None:
            return None
        readers.append((index, reader))
    return VerdictPlan(
        prepared,
        model,
        tuple(readers),
        tuple(layers),
        fast_table,
        table.fused.flags,
        rule_set.decision_rows,
    )


def _fast_layer(plan: LayerPlan | None, fused: Fused, context: int) -> _FastLayer:
    assert fused.reads is not None
    return _FastLayer(
        plan,
        fused,
        context,
        fused.reads,
        tuple(name for name, _ in fused.keyed),
        bool(fused.params),
    )
