"""`rules check`: lint rule sets beyond what loading refuses, one line per problem."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runner.errors import RuleSetError, SaksrobotError
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet
from runner.rules.yamlfile import read_yaml
from runner.ruletools.check_letters import check_letters
from runner.ruletools.check_rules import check_rules
from runner.ruletools.lint import Collector, LintProblem, sort_problems
from runner.ruletools.released import check_released
from runner.ruletools.testing import run_rule_tests
from runner.settings import CONTENT_ROOT

_LINE = re.compile(r"\(line (\d+)\)$|^line (\d+)(?:, column \d+)?")

#: What `rules check` looks for, as shown in `saksrobot rules check --help` and CONTRIBUTING.md.
CHECKS = {
    "load": "the rule set loads: valid YAML, fields, CEL that compiles, known rule ids and "
    "parameters, no forward references",
    "legal-basis": "every rule links its legal basis on lovdata.no or regjeringen.no",
    "coverage": "every rule is met (oppfylt) and not met (ikke_oppfylt) in some test",
    "case-field": "expressions and explanations read only case fields and parameter keys "
    "that exist",
    "parameter-dates": "dated values oldest first, no date twice, no gap after valid_from, "
    "the same keys in every dated value",
    "overlap": "versions of one rule set do not overlap in time",
    "fallback": "the decision table's `otherwise` row is til_vurdering to review, never a "
    "refusal (pbl. § 21-4: no outcome without a legal ground)",
    "discretion": "no discretionary rule or row reaches an automatic outcome without a "
    "guideline hook: tests show it going to a person, and (if allowed) settled by a guideline",
    "nb-nn": "the nb and nn texts (explanations, letters) read the same values",
    "letter-variable": "letter templates read only what the robot puts in the letter context",
    "released": "dated parameter values in the last release (git tag) are not edited or "
    "removed (without tags: a warning, skipped)",
    "unverified": "(warning) parameters with confidence M",
}


def rule_set_folders(paths: Iterable[Path]) -> list[Path]:
    """A path is a rule set folder, or a folder of them."""
    folders: list[Path] = []
    for path in paths:
        if (path / "ruleset.yaml").is_file():
            folders.append(path)
        elif path.is_dir():
            folders += sorted(
                child for child in path.iterdir() if (child / "ruleset.yaml").is_file()
            )
        else:
            folders.append(path)  # load_rule_set says what is wrong with it
    return folders


def content_dir_for(folder: Path) -> Path:
    """The content folder (robots/, templates/) a rule-set folder belongs to."""
    parent = folder.resolve().parent
    if parent.name == "rules" and (parent.parent / "robots").is_dir():
        return parent.parent
    return CONTENT_ROOT


@dataclass
class CheckReport:
    """The rule sets checked and every problem found."""

    checked: list[tuple[Path, RuleSet | None]] = field(default_factory=list)
    problems: list[LintProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[LintProblem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[LintProblem]:
        return [problem for problem in self.problems if problem.severity == "warning"]


def _load_problems(folder: Path, error: SaksrobotError) -> list[LintProblem]:
    file = Path(getattr(error, "file", None) or folder)
    problems = getattr(error, "problems", [])
    if not problems:
        return [LintProblem("error", "load", file, None, "", error.message, error.fix or "")]
    found = []
    for problem in problems:
        match = _LINE.search(problem.location)
        line = int(match.group(1) or match.group(2)) if match else None
        subject = _LINE.sub("", problem.location).strip()
        fix = problem.fix or error.fix or ""
        found.append(LintProblem("error", "load", file, line, subject, problem.reason, fix))
    return found


def _overlaps(checked: Sequence[RuleSet], out: Collector) -> None:
    """Versions of one id (the checked ones and their siblings) must not overlap in time."""
    folders = {rule_set.path.parent for rule_set in checked}
    siblings: dict[Path, RuleSet] = {rule_set.path: rule_set for rule_set in checked}
    for parent in folders:
        for folder in rule_set_folders([parent]):
            if folder.resolve() not in siblings:
                try:
                    siblings[folder.resolve()] = load_rule_set(folder)
                except SaksrobotError:
                    continue  # reported when that folder itself is checked
    ids = {rule_set.id for rule_set in checked}
    by_id = sorted(
        (r for r in siblings.values() if r.id in ids), key=lambda r: (r.id, r.valid_from)
    )
    mine = {rule_set.path for rule_set in checked}
    for _, group in itertools.groupby(by_id, key=lambda rule_set: rule_set.id):
        for before, after in itertools.combinations(list(group), 2):
            if before.valid_to is not None and before.valid_to < after.valid_from:
                continue
            if before.path not in mine and after.path not in mine:
                continue
            doc = read_yaml(before.path / "ruleset.yaml")
            end = before.valid_to.isoformat() if before.valid_to else "open-ended"
            out.error(
                "overlap",
                doc.path,
                doc.line(("valid_to",)),
                f"rule set {before.id} {before.version}",
                f"valid {before.valid_from.isoformat()}–{end} overlaps version {after.version} "
                f"in {after.path.name}/ (from {after.valid_from.isoformat()})",
                f"set valid_to to the day before {after.valid_from.isoformat()} "
                "(valid_to is the last day a version applies)",
            )


def check_paths(paths: Sequence[Path], content_dir: Path | None = None) -> CheckReport:
    """Lint every rule set in `paths` (folders of one rule set, or of several)."""
    report = CheckReport()
    out = Collector()
    loaded: list[RuleSet] = []
    for folder in rule_set_folders(paths):
        try:
            rule_set = load_rule_set(folder)
        except RuleSetError as error:
            report.checked.append((folder, None))
            out.problems += _load_problems(folder, error)
            continue
        report.checked.append((folder, rule_set))
        loaded.append(rule_set)
        check_rules(rule_set, run_rule_tests(rule_set), out)
        check_letters(rule_set, content_dir or content_dir_for(folder), out)
    _overlaps(loaded, out)
    check_released(loaded, out)
    report.problems = sort_problems(out.problems)
    return report
