"""`rules check` released: a dated parameter value that is in the last release is never
edited or removed (CONTRIBUTING.md: "a new value from a date is a new line, never an edit").

The rule set's parameters.yaml is compared with the same file at git's last release tag
(`git describe --tags`). The store's decision hashes are not used: CI has no store. A clone
without tags (actions/checkout fetches none by default) cannot be compared: the check says
so in a warning and is skipped. A folder outside git is not checked.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from runner.rules.ruleset import RuleSet
from runner.rules.yamlfile import read_yaml
from runner.ruletools.lint import Collector

CHECK = "released"


def _git(folder: Path, *args: str) -> str | None:
    """git's output in `folder`, or None if git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def last_release_tag(folder: Path) -> str | None:
    """The newest tag reachable from HEAD in the repository holding `folder`, or None."""
    found = _git(folder, "describe", "--tags", "--abbrev=0", "HEAD")
    return found.strip() or None if found is not None else None


def _values(parameters: Any) -> dict[str, dict[str, Any]]:
    """Each parameter's dated values, dates as ISO text."""
    if not isinstance(parameters, dict):
        return {}
    found: dict[str, dict[str, Any]] = {}
    for name, spec in parameters.items():
        values = spec.get("values") if isinstance(spec, dict) else None
        if isinstance(values, dict):
            found[str(name)] = {
                day.isoformat() if hasattr(day, "isoformat") else str(day): value
                for day, value in values.items()
            }
    return found


def check_released(rule_sets: Sequence[RuleSet], out: Collector) -> None:
    """Every dated value at the last release tag is still there, unchanged."""
    warned: set[Path] = set()
    for rule_set in rule_sets:
        folder = rule_set.path.resolve()
        top = _git(folder, "rev-parse", "--show-toplevel")
        if top is None:
            continue  # not in git: nothing released to compare with
        root = Path(top.strip())
        tag = last_release_tag(folder)
        if tag is None:
            if root not in warned:
                warned.add(root)
                out.warning(
                    CHECK,
                    root,
                    None,
                    "released dated values",
                    "no release tag in this clone, so dated values already released are not "
                    "compared (skipped)",
                    "fetch the tags (git fetch --tags; in CI: actions/checkout with "
                    "fetch-depth: 0) or tag each release (git tag v1.2.0)",
                )
            continue
        relative = (folder / "parameters.yaml").relative_to(root).as_posix()
        released_text = _git(root, "show", f"{tag}:{relative}")
        if released_text is None:
            continue  # the rule set is new since the release
        try:
            released = _values(yaml.safe_load(released_text))
        except yaml.YAMLError:
            continue
        path = folder / "parameters.yaml"
        current = _values(yaml.safe_load(path.read_text(encoding="utf-8")))
        doc = read_yaml(path)
        for name, values in released.items():
            now = current.get(name, {})
            for day, value in values.items():
                if day in now and now[day] == value:
                    continue
                what = "removed" if day not in now else f"changed from {value!r} to {now[day]!r}"
                out.error(
                    CHECK,
                    path,
                    doc.line((name, "values", day)) if name in current else doc.line(()),
                    f"parameter {name}",
                    f"the value from {day} was released in {tag} and is {what}",
                    f"put back {day}: {value!r} and add the new value as a new line from the "
                    "day it applies (a released value is never edited: stored decisions "
                    "cite it)",
                )
