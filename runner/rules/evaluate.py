"""Evaluating a rule set for one case: the full record, or only the verdict.

`evaluate` gives what a decision is stored and explained with: each rule's outcome, the
values it read, its legal basis and explanation, and the decision. `verdict` gives only
the outcomes, values and decision, several times cheaper: for bulk what-if runs (`rules
diff` over a store) that compare outcomes and look closer only where they differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel

from runner.errors import RuleSetError
from runner.models.registry import case_model, decision_date
from runner.models.results import Decision, Evaluation, RuleResult, Verdict
from runner.rules.construct import trusted
from runner.rules.engine import Run, decide_table, prepare
from runner.rules.fast import verdict_plan
from runner.rules.ruleset import RuleSet

_MODEL_DUMP = BaseModel.model_dump


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
    empty (outcomes, values read and the decision are the same).
    """
    run, decision = _run(rule_set, case, on, kommune, trace=True, explain=explain)
    data = run.data
    results: list[RuleResult] = run.results or []
    return trusted(
        Evaluation,
        {
            "rule_set_id": rule_set.id,
            "rule_set_version": rule_set.version,
            "rule_set_hash": rule_set.hash,
            "decision_date": data["decision_date"],
            "parameters": dict(data["p"]),
            "kommune_parameters": dict(data["k"]),
            "results": results,
            "decision": decision,
        },
    )


def verdict(
    rule_set: RuleSet,
    case: BaseModel,
    *,
    on: date | None = None,
    kommune: Mapping[str, Any] | None = None,
) -> Verdict:
    """The outcome of every rule, the values computed and the decision, without the trace.

    The same as `evaluate(..., explain=False)` gives for these, without building each
    rule's record of the values it read. Where every layer and the decision table run as
    one program each, `fast.VerdictPlan` gives it (falling back on this way where it
    cannot), reading the case's values from the model.
    """
    plan = verdict_plan(rule_set)
    if plan is not None and type(case) is plan.model:  # its own loop, if it can
        day = on if on is not None else decision_date(case)
        found = plan.verdict(rule_set, case, day, kommune)
        if found is not None:
            return found
    run, decision = _run(rule_set, case, on, kommune, trace=False, explain=False)
    return trusted(
        Verdict,
        {
            "rule_set_id": rule_set.id,
            "rule_set_version": rule_set.version,
            "rule_set_hash": rule_set.hash,
            "decision_date": run.data["decision_date"],
            "outcomes": run.outcomes,
            "values": run.values,
            "errors": run.errors,
            "decision": decision,
        },
    )


def _run(
    rule_set: RuleSet,
    case: BaseModel,
    on: date | None,
    kommune: Mapping[str, Any] | None,
    *,
    trace: bool,
    explain: bool,
) -> tuple[Run, Decision]:
    expected = case_model(rule_set.case_type)
    if not isinstance(case, expected):
        raise RuleSetError(
            f"Rule set '{rule_set.id}' is for {expected.__name__} cases, not {type(case).__name__}",
            file=rule_set.path / "ruleset.yaml",
            fix="Check which rule set the robot names (rule_set) against its case_model.",
        )
    day = on if on is not None else decision_date(case)
    parameters, parameters_from = rule_set.resolve_parameters(day)
    prepared = prepare(rule_set)
    # Without explanations only the fields the expressions name are read (values, trace and
    # error messages alike): dumping just those skips the rest, computed fields included.
    fields = None if explain else prepared.case_fields
    if type(case).model_dump is _MODEL_DUMP:  # its serializer directly: the same call, with
        # the same defaults, less the Python frame and keywords of model_dump (~0.8 µs)
        dumped = case.__pydantic_serializer__.to_python(case, mode="json", include=fields)
    else:
        dumped = case.model_dump(mode="json", include=fields)
    data: dict[str, Any] = {
        "case": dumped,
        "p": parameters,
        "p_from": parameters_from,
        "k": dict(kommune or {}),
        "decision_date": day.isoformat(),
        "r": {},
        "v": {},
    }
    rules_live, readers_live, decision_live = prepared.contexts(rule_set)
    try:
        run = Run(rule_set, data, rules_live, readers_live, trace=trace, explain=explain)
        for layer in prepared.layers:
            run.layer(layer)
        decision = decide_table(rule_set, prepared.table, run, data)
    except BaseException:
        rules_live.discard()  # an evaluation stopped half-way: start the next one afresh
        if readers_live is not rules_live:
            readers_live.discard()
        decision_live.discard()
        raise
    return run, decision
