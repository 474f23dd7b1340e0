"""The `saksrobot rules` commands: run rule-set tests from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from runner.errors import SaksrobotError
from runner.rules.load import load_rule_set
from runner.rules.ruleset import RuleSet
from runner.rules.testing import TestReport, run_rule_tests
from runner.settings import CONTENT_ROOT

rules_app = typer.Typer(
    help="Work with rule sets (rules/<id>/): run their tests.",
    no_args_is_help=True,
)


@rules_app.callback()
def rules_callback() -> None:
    """Work with rule sets: each is a folder with ruleset.yaml, parameters.yaml, rules.yaml
    and tests/*.yaml."""


def _rule_set_folders(paths: list[Path]) -> list[Path]:
    """A path is a rule set folder, or a folder of them."""
    folders: list[Path] = []
    for path in paths:
        if (path / "ruleset.yaml").is_file():
            folders.append(path)
        elif path.is_dir():
            children = path.iterdir()
            folders += sorted(child for child in children if (child / "ruleset.yaml").is_file())
        else:
            folders.append(path)  # load_rule_set says what is wrong with it
    return folders


def _summary(rows: list[tuple[Path, RuleSet | None, TestReport | None]]) -> Table:
    table = Table(title="Rule set tests")
    for column in ("Rule set", "Version", "Passed", "Failed", "Status"):
        table.add_column(column, justify="right" if column in ("Passed", "Failed") else "left")
    for folder, rule_set, report in rows:
        if rule_set is None or report is None:
            table.add_row(folder.name, "-", "-", "-", "[red]cannot load[/red]")
            continue
        status = "[green]ok[/green]" if report.ok else "[red]FAILED[/red]"
        table.add_row(rule_set.id, rule_set.version, str(report.passed), str(report.failed), status)
    return table


def _counts(rule_set: RuleSet, report: TestReport) -> Table:
    table = Table(title=f"Outcomes per rule: {rule_set.id} {rule_set.version}")
    outcomes = ("oppfylt", "ikke_oppfylt", "uavklart", "ikke_aktuelt")
    table.add_column("Rule")
    for outcome in outcomes:
        table.add_column(outcome, justify="right")
    for rule_id, counts in report.outcome_counts.items():
        table.add_row(rule_id, *(str(counts.get(outcome, 0)) for outcome in outcomes))
    return table


@rules_app.command("test")
def test_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Rule set folders, or folders holding them. Default: every rule set under "
            "the content folder's rules/.",
            show_default=False,
        ),
    ] = None,
    counts: Annotated[
        bool,
        typer.Option("--counts", help="Also show how often each rule gave each outcome."),
    ] = False,
) -> None:
    """Run the tests in tests/*.yaml of each rule set; exit code 1 if any fails."""
    console = Console(soft_wrap=True)
    folders = _rule_set_folders(paths or [CONTENT_ROOT / "rules"])
    if not folders:
        console.print("[red]No rule sets found[/red] (a rule set folder holds ruleset.yaml).")
        raise typer.Exit(1)
    rows: list[tuple[Path, RuleSet | None, TestReport | None]] = []
    messages: list[str] = []
    for folder in folders:
        try:
            rule_set = load_rule_set(folder)
        except SaksrobotError as error:
            rows.append((folder, None, None))
            messages.append(str(error))
            continue
        report = run_rule_tests(rule_set)
        rows.append((folder, rule_set, report))
        messages += [str(failure) for failure in report.failures]
    console.print(_summary(rows))
    if counts:
        for _, loaded, tested in rows:
            if loaded is not None and tested is not None:
                console.print(_counts(loaded, tested))
    for message in messages:
        console.print(message, markup=False, highlight=False)
    if any(tested is None or not tested.ok for _, _, tested in rows):
        raise typer.Exit(1)
