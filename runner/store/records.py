"""What the store hands out: frozen records, one per row, fields in column order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from runner.models.results import Evaluation
from runner.store.states import CaseState


@dataclass(frozen=True, slots=True)
class RawItemRecord:
    """A raw item as it arrived (its content is read separately with Store.raw_content)."""

    id: int
    robot_id: str
    source: str
    source_ref: str
    content_hash: str
    size: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """One case: where it is in the state machine and what is known about it."""

    id: int
    raw_item_id: int
    robot_id: str
    case_type: str | None
    reference: str | None
    kommunenummer: str | None
    state: str
    outcome: str | None
    route: str | None
    reasons: list[str]
    urgent: bool
    deadline: date | None
    data: dict[str, Any]
    errors: list[dict[str, Any]]
    attempts: int
    last_error: str | None
    lease_owner: str | None
    lease_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    event_seq: int  # the seq and hash of the newest event (head of the audit chain)
    event_hash: str
    interruptions: int  # taken up again after a crash without a move since (0 after a move)

    @property
    def case_state(self) -> CaseState:
        """The state as a CaseState."""
        return CaseState(self.state)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One row of a case's append-only, hash-chained audit trail."""

    id: int
    case_id: int
    seq: int
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A stored evaluation: enough to explain and replay the decision."""

    id: int
    case_id: int
    created_at: datetime
    inputs_hash: str
    rule_set_id: str
    rule_set_version: str
    rule_set_hash: str
    decision_date: str
    parameters: dict[str, Any]
    results: list[dict[str, Any]]
    outcome: str
    route: str
    reasons: list[str]
    matched: str
    urgent: bool
    amounts: dict[str, float | int]
    template_id: str | None
    template_hash: str | None
    kommune_parameters: dict[str, Any] | None

    def evaluation(self) -> Evaluation:
        """The Evaluation this decision was saved from (validated in one call: a quarter
        cheaper than validating each rule's result on its own)."""
        return Evaluation.model_validate(
            {
                "rule_set_id": self.rule_set_id,
                "rule_set_version": self.rule_set_version,
                "rule_set_hash": self.rule_set_hash,
                "decision_date": self.decision_date,
                "parameters": self.parameters,
                "kommune_parameters": self.kommune_parameters or {},
                "results": self.results,
                "decision": {
                    "outcome": self.outcome,
                    "route": self.route,
                    "reasons": self.reasons,
                    "matched": self.matched,
                    "urgent": self.urgent,
                    "amounts": self.amounts,
                },
            }
        )


@dataclass(frozen=True, slots=True)
class LetterRecord:
    """One version of a case's letter (versions count from 1 per case)."""

    id: int
    case_id: int
    decision_id: int
    version: int
    malform: str
    markdown: str
    template_id: str | None
    template_hash: str | None
    pdf_path: str | None
    sha256: str | None
    created_at: datetime
    created_by: str
    approved_by: str | None
    approved_at: datetime | None
    based_on: int | None  # hand edits: the id of the robot's draft they were made on

    @property
    def is_approved(self) -> bool:
        """Whether a human (or the robot's policy) approved this version."""
        return self.approved_at is not None


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """A letter waiting to go out, going out, gone out, or waiting for a human."""

    id: int
    case_id: int
    letter_id: int
    key: str
    channel: str
    target: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
