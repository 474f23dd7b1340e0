"""Evaluating a rule set for one case: each rule's result and the decision.

`evaluate` gives what a decision is stored and explained with: each rule's outcome, the
values it read, its legal basis and explanation, and the decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel

from runner.errors import RuleSetError
from runner.models.common import verified_facts
from runner.models.registry import case_model, decision_date
from runner.models.results import Evaluation
from runner.rules.engine import Run
from runner.rules.ruleset import RuleSet


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
    expected = case_model(rule_set.case_type)
    if not isinstance(case, expected):
        raise RuleSetError(
            f"Rule set '{rule_set.id}' is for {expected.__name__} cases, not {type(case).__name__}",
            file=rule_set.path / "ruleset.yaml",
            fix="Check which rule set the robot names (rule_set) against its case_model.",
        )
    day = on if on is not None else decision_date(case)
    parameters, parameters_from = rule_set.resolve_parameters(day)
    # Templates may name any field of the case; expressions only the fields the plan lists
    # (and a kommune guideline's conditions any field).
    own = dict(kommune or {})
    fields = None if explain or own.get("guidelines") else rule_set.variables.case_fields
    data: dict[str, Any] = {
        "case": case.model_dump(mode="json", include=fields),
        "p": parameters,
        "p_from": parameters_from,
        "k": own,
        "decision_date": day.isoformat(),
        "r": {},
        "v": {},
    }
    run = Run(rule_set, data, explain=explain, verified=verified_facts(case))
    results = run.rules()
    return Evaluation.model_validate(
        {
            "rule_set_id": rule_set.id,
            "rule_set_version": rule_set.version,
            "rule_set_hash": rule_set.hash,
            "decision_date": data["decision_date"],
            "parameters": parameters,
            "kommune_parameters": data["k"],
            "results": results,
            "decision": run.decision(),
        }
    )
