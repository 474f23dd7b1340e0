"""`rules diff`: the decisions two versions of a rule set make differently, for a reviewer."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ValidationError

from runner.errors import RuleSetError
from runner.models.registry import case_model, decision_date
from runner.models.results import Evaluation
from runner.rules.evaluate import evaluate
from runner.rules.ruleset import RuleSet
from runner.ruletools.testing import deep_merge

_PAGE = 500


@dataclass(frozen=True)
class Change:
    """One case whose outcome, route or amounts differ between the two versions."""

    source: str  # "test" or "case"
    label: str  # "tests/frittliggende.yaml: Garasje 50,0 m² BYA" or "BS-2026-000004"
    old: Evaluation
    new: Evaluation
    rules: tuple[tuple[str, str, str], ...]  # (rule id, old outcome, new outcome)
    values: tuple[tuple[str, Any, Any], ...]  # (rule id, old value, new value)
    responsible: tuple[str, ...] = ()  # changed rules whose own inputs (r., v.) did not change

    @property
    def decision_changed(self) -> bool:
        old, new = self.old.decision, self.new.decision
        return (old.outcome, old.route, old.amounts) != (new.outcome, new.route, new.amounts)


@dataclass
class DiffReport:
    """What changed in the files, and what that does to the decisions."""

    old: RuleSet
    new: RuleSet
    tests: int = 0
    cases: int = 0
    skipped: list[str] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    parameters: list[str] = field(default_factory=list)  # changed parameters, one line each
    rules: list[str] = field(default_factory=list)  # added, removed or changed rules

    @property
    def decisions(self) -> list[Change]:
        """Changes of outcome, route or amount (the rest changed rule outcomes only)."""
        return [change for change in self.changes if change.decision_changed]


def _responsible(changed: list[str], reads: Mapping[str, frozenset[str]]) -> tuple[str, ...]:
    """The changed rules that changed by themselves, not only through a rule they read."""
    moved = set(changed)
    return tuple(rule_id for rule_id in changed if not reads.get(rule_id, frozenset()) & moved)


def compare(
    source: str,
    label: str,
    old: Evaluation,
    new: Evaluation,
    reads: Mapping[str, frozenset[str]] | None = None,
) -> Change | None:
    """The change between two evaluations of one case, or None when nothing differs.

    `reads` maps a rule id to the rule ids it reads (r.<id>, v.<id>), to tell the rules
    responsible for a change from those that only follow it.
    """
    before = {result.rule_id: result for result in old.results}
    after = {result.rule_id: result for result in new.results}
    rules: list[tuple[str, str, str]] = []
    values: list[tuple[str, Any, Any]] = []
    for rule_id in dict.fromkeys([*before, *after]):
        was, now = before.get(rule_id), after.get(rule_id)
        was_outcome = was.outcome.value if was else "(ingen regel)"
        now_outcome = now.outcome.value if now else "(ingen regel)"
        if was_outcome != now_outcome:
            rules.append((rule_id, was_outcome, now_outcome))
        if (was.value if was else None) != (now.value if now else None):
            values.append((rule_id, was.value if was else None, now.value if now else None))
    decision_same = (old.decision.outcome, old.decision.route, old.decision.amounts) == (
        new.decision.outcome,
        new.decision.route,
        new.decision.amounts,
    )
    if decision_same and not rules and not values:
        return None
    moved = {item[0] for item in rules} | {item[0] for item in values}
    changed = [rule_id for rule_id in dict.fromkeys([*before, *after]) if rule_id in moved]
    responsible = _responsible(changed, reads or {})
    return Change(source, label, old, new, tuple(rules), tuple(values), responsible)


def rule_inputs(rule_set: RuleSet) -> dict[str, frozenset[str]]:
    """Rule id → the rule ids its expressions read (r.<id>, v.<id>)."""
    return {
        rule.id: frozenset(
            path[1] for path in rule.paths if path[0] in ("r", "v") and len(path) > 1
        )
        for rule in rule_set.rules
    }


def value_changes(name: str, old: Any, new: Any) -> list[str]:
    """`name[key]: old → new` for every leaf that differs between two parameter values."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        found: list[str] = []
        for key in dict.fromkeys([*old, *new]):
            found += value_changes(f"{name}.{key}", old.get(key, "-"), new.get(key, "-"))
        return found
    return [] if old == new else [f"{name}: {old} → {new}"]


def _changed_files(report: DiffReport) -> None:
    old, new = report.old, report.new
    for name in dict.fromkeys([*old.parameters, *new.parameters]):
        was, now = old.parameters.get(name), new.parameters.get(name)
        if was is None or now is None:
            report.parameters.append(f"{name}: {'added' if was is None else 'removed'}")
            continue
        before = {day.isoformat(): value for day, value in was.values.items()}
        after = {day.isoformat(): value for day, value in now.values.items()}
        report.parameters += value_changes(name, before, after)
        if was.confidence != now.confidence:
            report.parameters.append(f"{name}.confidence: {was.confidence} → {now.confidence}")
    old_rules = {rule.id: rule.spec for rule in old.rules}
    new_rules = {rule.id: rule.spec for rule in new.rules}
    for rule_id in dict.fromkeys([*old_rules, *new_rules]):
        if rule_id not in old_rules:
            report.rules.append(f"{rule_id}: added")
        elif rule_id not in new_rules:
            report.rules.append(f"{rule_id}: removed")
        elif old_rules[rule_id] != new_rules[rule_id]:
            fields = [
                name
                for name in type(old_rules[rule_id]).model_fields
                if getattr(old_rules[rule_id], name) != getattr(new_rules[rule_id], name)
            ]
            report.rules.append(f"{rule_id}: {', '.join(fields)} changed")
    if old.spec.decision != new.spec.decision:
        report.rules.append("decision table changed")
    if (old.valid_from, old.valid_to) != (new.valid_from, new.valid_to):
        period = f"{old.valid_from}–{old.valid_to or ''}"
        report.rules.append(f"validity {period} → {new.valid_from}–{new.valid_to or ''}")


def _test_cases(
    rule_set: RuleSet,
) -> Iterator[tuple[str, dict[str, Any], date | None, dict[str, Any]]]:
    for file in rule_set.tests:
        for test in file.spec.tests:
            raw = deep_merge(file.spec.base, test.patch)
            yield f"{file.relative}: {test.name}", raw, test.on, dict(test.kommune)


def _evaluate_both(
    report: DiffReport,
    source: str,
    label: str,
    case: BaseModel,
    on: date | None,
    kommune: Mapping[str, Any] | None = None,
) -> None:
    try:
        old = evaluate(report.old, case, on=on, kommune=kommune)
        new = evaluate(report.new, case, on=on, kommune=kommune)
    except Exception as error:  # one broken case must not hide the others
        report.skipped.append(f"{label}: evaluation raised {type(error).__name__}: {error}")
        return
    change = compare(source, label, old, new, rule_inputs(report.new))
    if change is not None:
        report.changes.append(change)


KommuneParameters = Callable[[str | None, date], dict[str, Any]]


def diff_rule_sets(
    old: RuleSet,
    new: RuleSet,
    *,
    store_url: str | None = None,
    on: date | None = None,
    kommune: KommuneParameters | None = None,
) -> DiffReport:
    """Evaluate every test case of both versions (and every stored case) under both.

    Stored cases get the kommune's own parameters (`k`) their decision was made with, so only
    the rule-set change shows; with `on`, or for decisions older than migration 0004, they come
    from `kommune(case_type, day)` as the pipeline gives them today. Test cases use their own.
    """
    if old.case_type != new.case_type:
        raise RuleSetError(
            f"The versions are for different case types ({old.case_type}, {new.case_type})",
            file=new.path / "ruleset.yaml",
            fix="Compare two versions of the same rule set.",
        )
    report = DiffReport(old=old, new=new)
    _changed_files(report)
    model = case_model(new.case_type)
    seen: set[str] = set()
    for rule_set in (new, old):
        for label, raw, test_on, test_kommune in _test_cases(rule_set):
            if label in seen:
                continue
            seen.add(label)
            try:
                case = model.model_validate(raw)
            except ValidationError as error:
                report.skipped.append(
                    f"{label}: the test case is invalid ({error.error_count()} errors)"
                )
                continue
            report.tests += 1
            _evaluate_both(report, "test", label, case, on or test_on, test_kommune)
    if store_url is not None:
        _stored_cases(report, store_url, model, on, kommune)
    return report


def _stored_cases(
    report: DiffReport,
    store_url: str,
    model: type[BaseModel],
    on: date | None,
    kommune: KommuneParameters | None,
) -> None:
    """Every stored case of this case type with data, decided by this rule set (or not yet)."""
    from runner.store import open_store

    with open_store(store_url, upgrade=False) as store:
        offset = 0
        while True:
            page = store.list_cases(limit=_PAGE, offset=offset)
            offset += _PAGE
            for record in page:
                if record.case_type != report.new.case_type or not record.data:
                    continue
                decision = store.latest_decision(record.id)
                if decision is not None and decision.rule_set_id != report.new.id:
                    continue
                label = record.reference or f"case {record.id}"
                try:
                    case = model.model_validate(record.data)
                except ValidationError as error:
                    report.skipped.append(
                        f"{label}: stored data is invalid now ({error.error_count()} errors)"
                    )
                    continue
                report.cases += 1
                day = on or decision_date(case)
                if decision is not None and decision.kommune_parameters is not None and on is None:
                    # The kommune's parameters as decided, so only the rule-set change shows.
                    parameters = dict(decision.kommune_parameters)
                else:
                    parameters = kommune(record.case_type, day) if kommune else {}
                _evaluate_both(report, "case", label, case, day, parameters)
            if len(page) < _PAGE:
                break
