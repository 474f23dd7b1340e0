"""The catalog of rule sets under rules/: several versions per id, picked by date."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from runner.errors import FieldProblem, NotFoundError, RuleSetError
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet


def _period(rule_set: RuleSet) -> str:
    end = rule_set.valid_to.isoformat() if rule_set.valid_to else ""
    return f"{rule_set.version} ({rule_set.valid_from.isoformat()}–{end})"


class RuleSetCatalog:
    """Every loaded rule set, by id; versions of one id must not overlap in time."""

    def __init__(self, rule_sets: Iterable[RuleSet]) -> None:
        by_id: dict[str, list[RuleSet]] = {}
        for rule_set in rule_sets:
            by_id.setdefault(rule_set.id, []).append(rule_set)
        for versions in by_id.values():
            versions.sort(key=lambda item: item.valid_from)
            for before, after in itertools.pairwise(versions):
                if before.valid_to is None or before.valid_to >= after.valid_from:
                    raise RuleSetError(
                        f"Versions of rule set '{after.id}' overlap in time: "
                        f"{_period(before)} and {_period(after)}",
                        file=after.path / "ruleset.yaml",
                        problems=[
                            FieldProblem(
                                "valid_to",
                                f"{before.path.name}/ruleset.yaml is still valid on "
                                f"{after.valid_from.isoformat()}",
                            )
                        ],
                        fix=f"Set valid_to in {before.path.name}/ruleset.yaml to the day before "
                        f"{after.valid_from.isoformat()} (valid_to is the last day it applies).",
                    )
        self._by_id = by_id

    @classmethod
    def load(cls, rules_dir: Path) -> RuleSetCatalog:
        """Load every folder in `rules_dir` that holds a ruleset.yaml."""
        folder = Path(rules_dir)
        if not folder.is_dir():
            raise RuleSetError(
                "Rules folder not found",
                file=folder,
                fix="Give the folder that holds one sub-folder per rule set (content_dir/rules).",
            )
        paths = sorted(path for path in folder.iterdir() if (path / "ruleset.yaml").is_file())
        return cls(load_rule_set(path) for path in paths)

    def all(self) -> list[RuleSet]:
        """Every rule set, by id and then by date."""
        return [rule_set for key in sorted(self._by_id) for rule_set in self._by_id[key]]

    def versions(self, rule_set_id: str) -> list[RuleSet]:
        """Every version of one rule set, oldest first."""
        try:
            return list(self._by_id[rule_set_id])
        except KeyError:
            known = ", ".join(sorted(self._by_id)) or "(none)"
            raise NotFoundError(
                f"No rule set with id '{rule_set_id}'",
                fix=f"Known rule sets: {known}. Check the robot's rule_set, or add the folder "
                "under rules/.",
            ) from None

    def get(self, rule_set_id: str, on: date) -> RuleSet:
        """The version of `rule_set_id` valid on `on`."""
        versions = self.versions(rule_set_id)
        for rule_set in versions:
            if rule_set.is_valid_on(on):
                return rule_set
        periods = ", ".join(_period(rule_set) for rule_set in versions)
        raise NotFoundError(
            f"No version of rule set '{rule_set_id}' is valid on {on.isoformat()}",
            fix=f"Versions: {periods}. Check the case's date, or add a version whose "
            "valid_from/valid_to covers it.",
        )
