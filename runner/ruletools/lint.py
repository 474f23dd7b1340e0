"""What `rules check` reports: one problem per line (file, line, subject, what to do)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class LintProblem:
    """One problem `rules check` found: where, in what, what is wrong and what to do."""

    severity: Severity
    check: str  # short name of the check, e.g. "legal-basis", "coverage"
    file: Path
    line: int | None
    subject: str  # "rule frittliggende_unntatt", "parameter sats", "template byggesak/innvilget"
    message: str
    fix: str

    def format(self) -> str:
        """`path:line: error [check] subject: message — fix` (clickable in editors)."""
        where = shown_path(self.file) + (f":{self.line}" if self.line else "")
        subject = f"{self.subject}: " if self.subject else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{where}: {self.severity} [{self.check}] {subject}{self.message}{fix}"


def shown_path(path: Path) -> str:
    """The path relative to the working directory when it is below it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative


def sort_problems(problems: Iterable[LintProblem]) -> list[LintProblem]:
    """Errors and warnings in file order, duplicates removed."""
    unique = dict.fromkeys(problems)
    return sorted(unique, key=lambda p: (str(p.file), p.line or 0, p.severity, p.message))


class Collector:
    """Collects problems for one file of one rule set."""

    def __init__(self) -> None:
        self.problems: list[LintProblem] = []

    def error(
        self, check: str, file: Path, line: int | None, subject: str, message: str, fix: str
    ) -> None:
        self.problems.append(LintProblem("error", check, file, line, subject, message, fix))

    def warning(
        self, check: str, file: Path, line: int | None, subject: str, message: str, fix: str
    ) -> None:
        self.problems.append(LintProblem("warning", check, file, line, subject, message, fix))
