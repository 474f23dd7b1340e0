"""The `saksrobot` command: every command and group, in one place.

Each command lives in a module of this package, one per command group: run.py (run, demo,
status), cases.py (cases list|retry, explain), store.py (audit, retention, db), welfare.py
(forelopig-svar), web.py (users, serve), report.py, and, imported only when they run
(lazy.py), rules.py (rules, replay), kommuner.py and worker.py. The helpers they share
(--settings, --store, --json, loading settings, opening the store, reporting errors) are in
options.py. Nothing outside this package imports it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from runner.cli import cases, report, run, store, web, welfare
from runner.cli.lazy import LazyCommand, lazy_group

#: Commands whose module (and the rule engine it needs) is imported only when they run.
LAZY_COMMANDS = {
    "rules": LazyCommand(
        "runner.cli.rules",
        "rules_app",
        "Work with rule sets (rules/<id>/): test, check, diff and scaffold them.",
    ),
    "replay": LazyCommand(
        "runner.cli.rules",
        "replay_command",
        "Re-evaluate a stored decision under the rule-set version it was made with and confirm "
        "the same result; exit 1 on any difference.",
    ),
    "kommuner": LazyCommand(
        "runner.cli.kommuner",
        "kommuner_app",
        "The kommuner this deployment serves (kommuner/NNNN-name.toml): list and check them.",
    ),
    "worker": LazyCommand(
        "runner.cli.worker",
        "worker_command",
        "Process cases from the shared store until stopped; run one per core, on many machines.",
    ),
}

app = typer.Typer(
    name="saksrobot",
    help="Saksrobot: shared case-processing robots for Norwegian municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=lazy_group(LAZY_COMMANDS),
)


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("saksrobot")
        except PackageNotFoundError:  # run from a source tree that was never installed
            number = "ukjent (ikke installert)"
        typer.echo(f"saksrobot {number}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print saksrobot's version and exit.",
            callback=_print_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Saksrobot: shared case-processing robots for Norwegian municipalities."""


app.command("run")(run.run_command)
app.command("demo")(run.demo_command)
app.command("status")(run.status_command)
app.command("explain")(cases.explain_command)
app.command("forelopig-svar")(welfare.forelopig_svar_command)
app.command("serve")(web.serve_command)
app.command("report")(report.report_command)
app.command("retention")(store.retention_command)
app.add_typer(cases.cases_app, name="cases")
app.add_typer(store.audit_app, name="audit")
app.add_typer(store.db_app, name="db")
app.add_typer(web.users_app, name="users")


def main() -> None:
    """Entry point of the `saksrobot` command."""
    app()


__all__ = ["LAZY_COMMANDS", "app", "main"]
