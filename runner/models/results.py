"""What evaluating a case produces: each rule's result and the decision drawn from them."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from runner.models.common import FrozenModel

#: The outcome of a case no decision-table row could place: a caseworker chooses the outcome,
#: and the letter is drafted then (pbl. § 21-4: no outcome without a legal ground).
UNDECIDED = "til_vurdering"


class RuleOutcome(StrEnum):
    """The outcome of one rule for one case."""

    oppfylt = "oppfylt"
    ikke_oppfylt = "ikke_oppfylt"
    uavklart = "uavklart"
    ikke_aktuelt = "ikke_aktuelt"


class Route(StrEnum):
    """Where a decided case goes next."""

    auto = "auto"
    review = "review"


class LegalBasis(FrozenModel):
    """A provision a rule rests on, with a link to the text (lovdata.no / regjeringen.no)."""

    ref: str
    url: str


class RuleResult(FrozenModel):
    """The trace of one rule: outcome, the values it read, its legal basis and explanation."""

    rule_id: str
    title: dict[str, str]
    outcome: RuleOutcome
    legal_basis: list[LegalBasis]
    values: dict[str, Any] = Field(default_factory=dict)
    value: float | int | None = None  # calculation rules (welfare amounts)
    explanation: dict[str, str] = Field(default_factory=dict)
    error: str | None = None  # why the rule could not be evaluated (→ uavklart)
    #: "open": the rule rests on discretion a person must exercise; "guideline": settled
    #: by the kommune's adopted guideline (named in `guideline`)
    discretion: str | None = None
    guideline: dict[str, str] | None = None  # {reference, adopted} of the guideline applied
    unverified: list[str] = Field(default_factory=list)  # facts it needs verified, declared only
    #: each case fact it read → "oppgitt" (declared) or "kontrollert: <source>" (verified)
    provenance: dict[str, str] = Field(default_factory=dict)


class Decision(FrozenModel):
    """The decision drawn from the rule results by the rule set's decision table."""

    outcome: str
    route: Route
    reasons: list[str]  # ids of rules not met or unclear
    matched: str  # which row of the decision table matched (its `when`, or "otherwise")
    urgent: bool = False
    amounts: dict[str, float | int] = Field(default_factory=dict)
    discretion: list[str] = Field(default_factory=list)  # rules (or rows) with open discretion
    unverified: list[str] = Field(default_factory=list)  # rules waiting for a verified fact


class Evaluation(FrozenModel):
    """Everything needed to explain and replay a decision."""

    rule_set_id: str
    rule_set_version: str
    rule_set_hash: str
    decision_date: str
    parameters: dict[str, Any]
    kommune_parameters: dict[str, Any] = Field(default_factory=dict)  # `k`, the kommune's own
    results: list[RuleResult]
    decision: Decision
