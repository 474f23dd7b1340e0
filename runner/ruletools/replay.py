"""`saksrobot replay CASE`: re-evaluate a stored decision under the version it was made with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from runner.errors import NotFoundError, RuleSetError, SaksrobotError
from runner.models.registry import case_model
from runner.models.results import Evaluation
from runner.rules.evaluate import evaluate
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet
from runner.ruletools.check import rule_set_folders
from runner.store import Store


@dataclass
class ReplayReport:
    """A stored decision beside the same case evaluated again."""

    reference: str
    stored: Evaluation
    replayed: Evaluation
    rule_set: RuleSet
    hash_matches: bool
    differences: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.differences


def find_version(rules_dir: Path, rule_set_id: str, version: str) -> RuleSet:
    """The rule-set folder under `rules_dir` with this id and version."""
    found: list[str] = []
    for folder in rule_set_folders([rules_dir]):
        try:
            rule_set = load_rule_set(folder)
        except SaksrobotError:
            continue
        found.append(f"{rule_set.id} {rule_set.version}")
        if rule_set.id == rule_set_id and rule_set.version == version:
            return rule_set
    raise NotFoundError(
        f"No rule-set folder under {rules_dir} holds {rule_set_id} version {version}",
        fix=f"Found: {', '.join(found) or 'none'}. Keep every version that has made decisions "
        "as its own folder (rules/<id>-<version>/), or check it out from git into rules/.",
    )


def differences(stored: Evaluation, replayed: Evaluation) -> list[str]:
    """Every way the replayed evaluation differs from the stored one, as sentences."""
    found: list[str] = []
    old, new = stored.decision, replayed.decision
    for name in ("outcome", "route", "reasons", "urgent", "amounts", "matched"):
        was: Any = getattr(old, name)
        now: Any = getattr(new, name)
        if was != now:
            found.append(f"{name}: stored {was}, now {now}")
    if stored.parameters != replayed.parameters:
        for name in sorted(set(stored.parameters) | set(replayed.parameters)):
            was, now = stored.parameters.get(name), replayed.parameters.get(name)
            if was != now:
                found.append(f"parameter {name}: stored {was}, now {now}")
    before = {result.rule_id: result for result in stored.results}
    after = {result.rule_id: result for result in replayed.results}
    for rule_id in dict.fromkeys([*before, *after]):
        was_result, now_result = before.get(rule_id), after.get(rule_id)
        if was_result is None or now_result is None:
            where = "stored only" if now_result is None else "new"
            found.append(f"rule {rule_id}: {where}")
            continue
        if was_result.outcome != now_result.outcome:
            found.append(
                f"rule {rule_id}: stored {was_result.outcome.value}, now {now_result.outcome.value}"
            )
        if was_result.value != now_result.value:
            found.append(f"rule {rule_id} value: stored {was_result.value}, now {now_result.value}")
    return found


def replay_case(
    store: Store,
    case: str,
    rules_dir: Path,
    *,
    allow_changed: bool = False,
    kommune: Callable[[str | None, date], dict[str, Any]] | None = None,
) -> ReplayReport:
    """Evaluate the case again under its stored rule-set version and compare.

    A rule-set folder whose files changed since the decision (another hash) is refused,
    unless `allow_changed`: then the report says so and compares anyway. `kommune` gives the
    kommune's own parameters (`k`) as the pipeline did (KommuneSettings.rule_parameters).
    """
    record = store.find_case(case)
    decision = store.latest_decision(record.id)
    label = record.reference or f"sak {record.id}"
    if decision is not None and not record.data and record.state == "sent":
        raise NotFoundError(
            f"Case {label}: its facts were removed after the retention period "
            "(saksrobot retention), so it cannot be evaluated again",
            fix="The decision, its rules and legal basis stay: see `saksrobot explain`.",
        )
    if decision is None or not record.data or record.case_type is None:
        raise NotFoundError(
            f"Case {label} has no stored decision to replay (state {record.state})",
            fix="Replay cases that have been evaluated; see `saksrobot cases list`.",
        )
    stored = decision.evaluation()
    rule_set = find_version(rules_dir, decision.rule_set_id, decision.rule_set_version)
    matches = rule_set.hash == decision.rule_set_hash
    if not matches and not allow_changed:
        raise RuleSetError(
            f"The files of {rule_set.id} {rule_set.version} changed after case {label} was "
            f"decided (stored hash {decision.rule_set_hash[:12]}, files now "
            f"{rule_set.hash[:12]})",
            file=rule_set.path,
            fix="A version that has made decisions must not be edited: restore its files "
            f"(`git log -- {rule_set.path.name}` shows the change) and put the change in a new "
            "version folder; or run with --allow-changed to compare with the changed files.",
        )
    parsed = case_model(record.case_type).model_validate(record.data)
    day = date.fromisoformat(decision.decision_date)
    if decision.kommune_parameters is not None:
        # The kommune's own parameters as they were when the case was decided (stored since
        # migration 0004), so a norm changed later does not change the replay.
        parameters = dict(decision.kommune_parameters)
    else:
        parameters = kommune(record.case_type, day) if kommune else {}
    replayed = evaluate(rule_set, parsed, on=day, kommune=parameters)
    report = ReplayReport(label, stored, replayed, rule_set, matches)
    report.differences = differences(stored, replayed)
    return report
