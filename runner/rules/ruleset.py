"""A loaded rule set: compiled rules, the decision table, dated parameters and tests."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Template

from runner.errors import NotFoundError
from runner.models.results import LegalBasis, Route
from runner.rules.expressions import Expression, VarPath
from runner.rules.schema import (
    DiscretionSpec,
    ParameterSpec,
    RuleSetSpec,
    RuleSpec,
    TestFileSpec,
)


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule, its expressions compiled and its explanation templates parsed."""

    id: str
    title: Mapping[str, str]
    legal_basis: tuple[LegalBasis, ...]
    applies_when: Expression | None
    uncertain_when: Expression | None
    condition: Expression | None
    value: Expression | None
    explanation: Mapping[str, Template]
    spec: RuleSpec
    paths: tuple[tuple[str, ...], ...]  # every variable path its expressions name
    named_paths: tuple[tuple[str, tuple[str, ...]], ...]  # ("case.measure.kind", path)
    reads_results: bool  # whether an expression reads `r` or `v`
    result_ids: frozenset[str] | None  # rule ids it reads via r./v.; None = any of them
    discretion_when: Expression | None = None  # when its discretion is in play (see spec)
    #: Each case fact it reads, with the facts that contain it, longest first:
    #: ("case.plan.conforms", ("plan.conforms", "plan")); a verification of any counts.
    case_facts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def expressions(self) -> tuple[Expression, ...]:
        parts = (
            self.applies_when,
            self.uncertain_when,
            self.condition,
            self.value,
            self.discretion_when,
        )
        return tuple(part for part in parts if part is not None)

    @property
    def discretion(self) -> DiscretionSpec | None:
        """The "kan" this rule rests on, if any: a person or a kommune guideline decides."""
        return self.spec.discretion

    @property
    def is_calculation(self) -> bool:
        """A calculation rule computes a number (`value`)."""
        return self.value is not None


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One row of the decision table; `when` is None for the final `otherwise` row."""

    index: int
    when: Expression | None
    outcome: str
    route: Route
    urgent: Expression | None
    discretion: DiscretionSpec | None = None

    @property
    def matched_text(self) -> str:
        return self.when.source if self.when is not None else "otherwise"


@dataclass(frozen=True, slots=True)
class RuleTestFile:
    """One tests/*.yaml file of a rule set."""

    __test__ = False  # not a pytest class

    path: Path
    relative: str  # e.g. "tests/frittliggende.yaml"
    spec: TestFileSpec


@dataclass(frozen=True, slots=True)
class ContextScope:
    """The CEL variables a rule set's expressions read: what a case's context holds.

    A dotted path is one flat variable (`case.measure.kind` → `case__measure__kind`), and
    `has(path)` one more (`has__case__measure__kind`); nothing else is handed to CEL.
    """

    flat: tuple[tuple[str, VarPath], ...]  # (variable, path) read from case, p, p_from, k
    has: tuple[tuple[str, VarPath], ...]  # (variable, path) tested with has()
    whole: tuple[str, ...]  # roots handed over whole (case, p, k, decision_date; not r, v)
    #: rule id → (variable, path, whether it is a has()) of r.<id> and v.<id> read
    results: Mapping[str, tuple[tuple[str, VarPath, bool], ...]]
    result_whole: tuple[str, ...]  # "r" and/or "v" where read whole
    case_fields: set[str] | None  # the case's top-level fields read; None: all of them


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A versioned rule set, ready to evaluate. Build it with `load_rule_set`."""

    spec: RuleSetSpec
    path: Path
    hash: str
    parameters: Mapping[str, ParameterSpec]
    rules: tuple[Rule, ...]
    decision_rows: tuple[DecisionRow, ...]
    tests: tuple[RuleTestFile, ...]
    variables: ContextScope  # what its rules and decision table read
    _dates: dict[str, list[date]] = field(default_factory=dict, repr=False)
    _resolved: dict[date, tuple[dict[str, Any], dict[str, str]]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        for name, parameter in self.parameters.items():
            self._dates[name] = sorted(parameter.values)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def version(self) -> str:
        return self.spec.version

    @property
    def title(self) -> dict[str, str]:
        return self.spec.title.as_dict()

    @property
    def case_type(self) -> str:
        return self.spec.case_type

    @property
    def valid_from(self) -> date:
        return self.spec.valid_from

    @property
    def valid_to(self) -> date | None:
        return self.spec.valid_to

    def is_valid_on(self, day: date) -> bool:
        """Whether this version applies on `day` (valid_to is the last day it applies)."""
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise NotFoundError(
            f"Rule set '{self.id}' {self.version} has no rule '{rule_id}'",
            fix=f"Known rules: {', '.join(rule.id for rule in self.rules)}.",
        )

    def resolve_parameters(self, on: date) -> tuple[dict[str, Any], dict[str, str]]:
        """Parameter values on `on` (the latest dated value not after it) and their from-dates.

        A parameter with no value valid yet is left out; a rule that reads it is `uavklart`.
        The dicts are shared between calls for the same day: treat them as read-only.
        """
        cached = self._resolved.get(on)
        if cached is not None:
            return cached
        values: dict[str, Any] = {}
        valid_from: dict[str, str] = {}
        for name, parameter in self.parameters.items():
            dates = self._dates[name]
            position = bisect.bisect_right(dates, on)
            if position:
                chosen = dates[position - 1]
                values[name] = parameter.values[chosen]
                valid_from[name] = chosen.isoformat()
        if len(self._resolved) > 4096:
            self._resolved.clear()
        self._resolved[on] = values, valid_from
        return values, valid_from

    def first_value_date(self, name: str) -> date | None:
        dates = self._dates.get(name)
        return dates[0] if dates else None

    def unverified_parameters(self) -> list[str]:
        """Names of parameters whose values come from memory (confidence M) and need checking."""
        return [name for name, parameter in self.parameters.items() if not parameter.verified]

    def __repr__(self) -> str:
        return f"<RuleSet {self.id} {self.version} {self.valid_from}–{self.valid_to or ''}>"
