"""The four rule-set file formats as frozen pydantic models (ruleset, parameters, rules, tests)."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from runner.models.common import FrozenModel
from runner.models.results import Route, RuleOutcome

NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
RuleId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
RuleSetId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")]
Version = Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d+$")]
OutcomeName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Https = Annotated[str, StringConstraints(pattern=r"^https://\S+$")]


class LocalText(FrozenModel):
    """A text in bokmål and nynorsk; both are required."""

    nb: NonEmpty
    nn: NonEmpty

    def as_dict(self) -> dict[str, str]:
        return {"nb": self.nb, "nn": self.nn}


class Reference(FrozenModel):
    """A source: a provision (`ref`) and a link to its text (`url`)."""

    ref: NonEmpty
    url: Https


#: A fact of the case, as a path below `case` (e.g. `plan.conforms`).
FactPath = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")]


class DiscretionSpec(FrozenModel):
    """A "kan" in the law: the kommune may decide either way (discretion, skjønn).

    A person decides, unless the kommune has adopted a guideline for exactly this rule
    (`guidelines.<rule id>` in its settings) whose conditions hold for the case.
    """

    basis: Annotated[list[Reference], Field(min_length=1)]
    question: LocalText  # what is left to decide, as a caseworker reads it
    #: CEL: when the discretion is in play; without it, whenever the rule would be `oppfylt`
    when: NonEmpty | None = None
    #: whether a kommune's guideline may settle it (false: always a person, e.g. pbl. § 19-2)
    guideline: bool = True


class VerifiedFactSpec(FrozenModel):
    """A fact a rule may rely on only when a register, map data or a caseworker confirmed it."""

    fact: FactPath
    name: LocalText  # how the letter and the case page name the fact


class DecisionRowSpec(FrozenModel):
    """One row of the first-hit decision table: `when` or `otherwise`, outcome and route."""

    when: NonEmpty | None = None
    otherwise: Literal[True] | None = None
    outcome: OutcomeName
    route: Route
    urgent: NonEmpty | None = None
    discretion: DiscretionSpec | None = None

    @model_validator(mode="after")
    def _when_or_otherwise(self) -> DecisionRowSpec:
        if (self.when is None) == (self.otherwise is None):
            raise ValueError("a row has either `when: <CEL>` or `otherwise: true`, not both")
        return self


class RuleSetSpec(FrozenModel):
    """ruleset.yaml: identity, validity period and the decision table."""

    id: RuleSetId
    version: Version
    title: LocalText
    case_type: NonEmpty
    valid_from: date
    valid_to: date | None
    owner: NonEmpty
    description: NonEmpty
    decision: Annotated[list[DecisionRowSpec], Field(min_length=1)]

    @field_validator("valid_to")
    @classmethod
    def _dates_in_order(cls, valid_to: date | None, info: ValidationInfo) -> date | None:
        valid_from = info.data.get("valid_from")
        if valid_to is not None and valid_from is not None and valid_to < valid_from:
            raise ValueError(
                f"valid_to {valid_to} is before valid_from {valid_from}: "
                "the dates are in the wrong order"
            )
        return valid_to

    @field_validator("decision")
    @classmethod
    def _ends_with_otherwise(cls, rows: list[DecisionRowSpec]) -> list[DecisionRowSpec]:
        *first, last = rows
        if last.otherwise is None:
            raise ValueError("the decision table must end with an `otherwise: true` row")
        if any(row.otherwise for row in first):
            raise ValueError("`otherwise: true` may only be the last row of the decision table")
        return rows


def _check_parameter_value(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a parameter value is a number or a mapping, not true/false")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise ValueError("a parameter value must be a finite number")
        return value
    if isinstance(value, dict) and value and all(isinstance(key, str) for key in value):
        return value
    raise ValueError(f"a parameter value is a number or a non-empty mapping, got {value!r}")


ParameterValue = Annotated[Any, AfterValidator(_check_parameter_value)]


class ParameterSpec(FrozenModel):
    """One entry of parameters.yaml: a legal fact with its source and dated values."""

    description: LocalText
    unit: NonEmpty
    reference: Reference
    confidence: Literal["V", "V2", "M"]
    values: Annotated[dict[date, ParameterValue], Field(min_length=1)]

    @property
    def verified(self) -> bool:
        """False for values from memory (confidence M) that still need checking."""
        return self.confidence != "M"


class RuleSpec(FrozenModel):
    """One rule of rules.yaml."""

    id: RuleId
    title: LocalText
    legal_basis: Annotated[list[Reference], Field(min_length=1)]
    applies_when: NonEmpty | None = None
    condition: NonEmpty | None = None
    value: NonEmpty | None = None
    uncertain_when: NonEmpty | None = None
    explanation: LocalText
    discretion: DiscretionSpec | None = None
    requires_verified: list[VerifiedFactSpec] = Field(default_factory=list)

    @model_validator(mode="after")
    def _condition_or_value(self) -> RuleSpec:
        if self.condition is None and self.value is None:
            raise ValueError("a rule needs a `condition` (CEL bool) or a `value` (CEL number)")
        return self


class ExpectSpec(FrozenModel):
    """What a rule test expects: rule outcomes and the decision."""

    rules: dict[RuleId, RuleOutcome] = Field(default_factory=dict)
    outcome: OutcomeName | None = None
    route: Route | None = None
    reasons: list[RuleId] | None = None
    urgent: bool | None = None
    values: dict[RuleId, float] | None = None

    @model_validator(mode="after")
    def _something(self) -> ExpectSpec:
        named = (self.outcome, self.route, self.reasons, self.urgent)
        if not self.rules and not self.values and all(item is None for item in named):
            raise ValueError("`expect` must name at least one rule outcome or the decision")
        return self


class RuleTestSpec(FrozenModel):
    """One test: a patch over the base case, an optional date and kommune, the expectations."""

    name: NonEmpty
    patch: dict[str, Any] = Field(default_factory=dict)
    on: date | None = Field(default=None, alias="date")
    kommune: dict[str, Any] = Field(default_factory=dict)
    expect: ExpectSpec


class TestFileSpec(FrozenModel):
    """tests/*.yaml: a base case and the tests patched over it."""

    __test__ = False  # not a pytest class

    description: NonEmpty
    base: dict[str, Any]
    tests: Annotated[list[RuleTestSpec], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique_names(self) -> TestFileSpec:
        seen: set[str] = set()
        for test in self.tests:
            if test.name in seen:
                raise ValueError(f"two tests are called {test.name!r}; give each a unique name")
            seen.add(test.name)
        return self
