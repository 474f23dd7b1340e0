"""Build the letter context for a decision: the facts, rules and dates a template may use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from runner.errors import ConfigurationError
from runner.kommuner.settings import KommuneSettings
from runner.models.results import Evaluation, RuleOutcome
from runner.welfare.context import welfare_context

_FAILED = {RuleOutcome.ikke_oppfylt, RuleOutcome.uavklart}

#: The names a letter template may read: the keys `letter_context` returns (`rules check`
#: refuses a template that reads anything else).
LETTER_CONTEXT_KEYS = frozenset(
    {
        "case", "kommune", "decision", "rules", "failed_rules", "fee", "fee_reference",
        "letter_date", "appeal_deadline", "appeal_weeks", "byggefrist_ar",
        "missing_documents", "reference", "parameters", "sosialhjelp", "appeal_body",
        "decided_points",
    }
)  # fmt: skip
#: The keys of `decision`, and of each item of `rules` and `failed_rules`.
LETTER_DECISION_KEYS = frozenset({"outcome", "route", "reasons", "automatic", "amounts"})
LETTER_RULE_KEYS = frozenset(
    {"id", "title", "outcome", "legal_basis", "explanation", "value", "assessment"}
)


def _int_parameter(evaluation: Evaluation, name: str) -> int:
    value = evaluation.parameters.get(name)
    if not isinstance(value, int | float):
        raise ConfigurationError(
            f"Rule set {evaluation.rule_set_id} has no number parameter '{name}' for letters",
            fix=f"Add '{name}' with its legal source to the rule set's parameters.yaml.",
        )
    return int(value)


def letter_context(
    *,
    case: dict[str, Any],
    evaluation: Evaluation,
    kommune: KommuneSettings,
    malform: str,
    automatic: bool,
    letter_date: date,
    appeal_deadline: date,
    case_type: str,
    document_rules: Sequence[str] = (),
    answers: Mapping[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Everything a letter template may refer to (the contract of templates/<robot>/*).

    `answers` are the caseworker's decisions on the open points (rule id → outcome and
    written assessment, runner/points.py): the rule's outcome in the letter is theirs, and
    `decided_points` lists those rules, each with its `assessment` (fvl. § 25).
    """
    decided = answers or {}
    rules = [
        {
            "id": result.rule_id,
            "title": result.title.get(malform, result.title.get("nb", result.rule_id)),
            "outcome": decided[result.rule_id][0]
            if result.rule_id in decided
            else str(result.outcome),
            "legal_basis": [basis.model_dump() for basis in result.legal_basis],
            "explanation": result.explanation.get(malform, result.explanation.get("nb", "")),
            "value": result.value,
            "assessment": decided[result.rule_id][1] if result.rule_id in decided else None,
        }
        for result in evaluation.results
    ]
    failed = [rule for rule in rules if rule["outcome"] in _FAILED]
    decision = evaluation.decision
    fee: int | None = None
    fee_reference: str | None = None
    if case_type == "byggesak" and kommune.byggesak_fees is not None:
        fee = kommune.byggesak_fees.amounts.get(decision.outcome)
        fee_reference = kommune.byggesak_fees.reference
    return {
        "case": case,
        "kommune": kommune.letter_view(malform),
        "decision": {
            "outcome": decision.outcome,
            "route": str(decision.route),
            "reasons": list(decision.reasons),
            "automatic": automatic,
            "amounts": dict(decision.amounts),
        },
        "rules": rules,
        "failed_rules": failed,
        "fee": fee,
        "fee_reference": fee_reference,
        "letter_date": letter_date,
        "appeal_deadline": appeal_deadline,
        "appeal_weeks": _int_parameter(evaluation, "klagefrist_uker"),
        "byggefrist_ar": _int_parameter(evaluation, "byggefrist_ar")
        if case_type == "byggesak"
        else None,
        "missing_documents": [
            str(rule["explanation"] or rule["title"])
            for rule in failed
            if rule["id"] in document_rules
        ],
        "reference": case.get("reference", ""),
        "parameters": dict(evaluation.parameters),
        "sosialhjelp": welfare_context(case, kommune, letter_date, malform)
        if case_type == "sosialhjelp"
        else None,
        "appeal_body": kommune.appeal_body_for(case_type, malform),
        "decided_points": [rule for rule in rules if rule["id"] in decided],
    }
