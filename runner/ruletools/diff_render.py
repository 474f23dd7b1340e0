"""Showing a rule-set diff: a rich table for the terminal, Markdown for a pull request."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from runner.norwegian import format_number
from runner.ruletools.diff import Change, DiffReport


def _arrow(old: Any, new: Any) -> str:
    return str(old) if old == new else f"{old} → {new}"


def _number(value: Any) -> str:
    return format_number(value) if isinstance(value, int | float) else str(value)


def _amounts(change: Change) -> str:
    old, new = change.old.decision.amounts, change.new.decision.amounts
    parts = []
    for name in dict.fromkeys([*old, *new]):
        was, now = old.get(name, "-"), new.get(name, "-")
        if was != now:
            parts.append(f"{name}: {_number(was)} → {_number(now)}")
    return "; ".join(parts)


def _rules(change: Change) -> str:
    outcomes = {rule_id: (old, new) for rule_id, old, new in change.rules}
    parts = []
    for rule_id in change.responsible:
        if rule_id in outcomes:
            parts.append(f"{rule_id} ({outcomes[rule_id][0]} → {outcomes[rule_id][1]})")
        else:
            parts.append(f"{rule_id} (verdi)")
    return ", ".join(parts) or "-"


def _row(change: Change) -> list[str]:
    old, new = change.old.decision, change.new.decision
    return [
        "test" if change.source == "test" else "sak",
        change.label,
        _arrow(old.outcome, new.outcome),
        _arrow(old.route.value, new.route.value),
        _amounts(change) or "-",
        _rules(change),
    ]


HEADERS = ["", "Sak", "Utfall", "Rute", "Beløp", "Regler som gir endringen"]


def summary(report: DiffReport) -> str:
    """One sentence: the versions, how many cases, how many decisions change."""
    old, new = report.old, report.new
    evaluated = f"{report.tests} testsaker" + (
        f" og {report.cases} lagrede saker" if report.cases else ""
    )
    other = len(report.changes) - len(report.decisions)
    tail = f"; {other} til endrer bare regelutfall eller verdier" if other else ""
    return (
        f"{old.id} {old.version} ({old.hash[:12]}) → {new.id} {new.version} "
        f"({new.hash[:12]}): {evaluated} vurdert etter begge versjonene, "
        f"{len(report.decisions)} endrer utfall, rute eller beløp{tail}."
    )


def as_table(report: DiffReport, *, show_all: bool = False) -> Group:
    """The terminal view."""
    parts: list[Any] = [Text(summary(report))]
    for title, lines in (("Parametere", report.parameters), ("Regler", report.rules)):
        if lines:
            parts.append(Text(f"{title} endret: " + "; ".join(lines)))
    table = Table(title="Vedtak som endres")
    for header in HEADERS:
        table.add_column(header)
    for change in report.changes if show_all else report.decisions:
        table.add_row(*_row(change))
    parts.append(table)
    parts += [Text(f"hoppet over: {line}", style="yellow") for line in report.skipped]
    return Group(*parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def as_markdown(report: DiffReport, *, show_all: bool = False) -> str:
    """The same for pasting into a pull request."""
    lines = [f"### Endringer i regelsettet {report.new.id}", "", summary(report), ""]
    if report.parameters or report.rules:
        lines += ["**Endret i regelsettet**", ""]
        lines += [f"- parameter {_cell(line)}" for line in report.parameters]
        lines += [f"- rule {_cell(line)}" for line in report.rules]
        lines.append("")
    changes = report.changes if show_all else report.decisions
    if changes:
        lines += ["| " + " | ".join(HEADERS[1:]) + " |", "|" + "---|" * (len(HEADERS) - 1)]
        for change in changes:
            kind, *cells = _row(change)
            cells[0] = f"{kind}: {cells[0]}"
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    else:
        lines.append("Ingen vedtak endres.")
    if report.skipped:
        lines += ["", "Hoppet over:"] + [f"- {_cell(line)}" for line in report.skipped]
    return "\n".join(lines) + "\n"
