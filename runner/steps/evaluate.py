"""The evaluate step: a validated case → its decision by the rule set in force on its date."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from runner.errors import CaseValidationError, FieldProblem, NotFoundError
from runner.logs import get_logger
from runner.models.registry import decision_date
from runner.problems import problem
from runner.redaction import personal_data_scope
from runner.rules import evaluate as evaluate_rules
from runner.steps.context import ROBOT_ACTOR, Handoff, Robot, Step
from runner.store import CaseRecord, CaseState

log = get_logger("saksrobot.pipeline")


def evaluate(robot: Robot, record: CaseRecord, _: Path | None, handed: Handoff | None) -> Step:
    """Evaluate the case, store the decision, and hand it to the draft step."""
    with robot.timer.timing("evaluate"):
        if handed is not None and handed.case is not None:
            case = handed.case  # validated by the validate step just now
        else:  # resumed, or retried by a caseworker: the stored data, validated
            case = robot.case_model.model_validate(record.data)
        on = decision_date(case)
        with personal_data_scope(case, robot.case_model):
            try:
                rule_set = robot.catalog.get(robot.definition.rule_set, on)
            except NotFoundError as error:
                raise CaseValidationError(
                    f"sak {record.reference}",
                    [_no_rule_set(on, error)],
                ) from error
            kommune = robot.kommune(record).rule_parameters(record.case_type, on)
            evaluation = evaluate_rules(rule_set, case, on=on, kommune=kommune)
            saved = robot.store.record_decision(
                record.id,
                evaluation,
                inputs_hash=_sha256_json(record.data),
                template_id=None,
                template_hash=None,
            )
            decision = evaluation.decision
            result = robot.store.transition(
                record.id,
                CaseState.evaluated,
                actor=ROBOT_ACTOR,
                event="evaluated",
                data={
                    "decision_id": saved.id,
                    "rule_set": f"{evaluation.rule_set_id}@{evaluation.rule_set_version}",
                    "rule_set_hash": evaluation.rule_set_hash,
                    "outcome": decision.outcome,
                    "route": str(decision.route),
                    "reasons": list(decision.reasons),
                },
                outcome=decision.outcome,
                route=str(decision.route),
                reasons=list(decision.reasons),
                urgent=decision.urgent,
            )
        log.debug(
            "case_evaluated",
            case_id=record.id,
            outcome=decision.outcome,
            route=str(decision.route),
            reasons=list(decision.reasons),
        )
    return result, Handoff(result.id, result.version, decision=saved)


def _sha256_json(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _no_rule_set(on: date, error: NotFoundError) -> FieldProblem:
    """No version of the rule set applies on the case's date: the catalogue's own message
    for the operator, the date for the reader."""
    found = problem("rule_set_missing", date=on.isoformat())
    return replace(found, reason=f"{found.reason}: {error}")
