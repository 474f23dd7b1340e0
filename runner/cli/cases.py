"""`saksrobot cases list|retry` and `saksrobot explain`: look at cases in the store, retry
the ones that stopped, and explain a decision."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from runner.cli.options import (
    JsonOption,
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)

cases_app = typer.Typer(help="List and retry cases in the store.", no_args_is_help=True)


@cases_app.command("list")
def cases_list(
    state: Annotated[str | None, typer.Option("--state", help="Only cases in this state.")] = None,
    robot: Annotated[str | None, typer.Option("--robot", help="Only this robot's cases.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many cases.")] = 100,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """List cases, newest last; quarantined cases show every error."""
    from rich.table import Table

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        records = store.list_cases(state=state, robot_id=robot, limit=limit)
        rows = [(r, store.raw_item(r.id).source_ref) for r in records]
    if as_json:
        for record, source_ref in rows:
            print(
                json.dumps(
                    {
                        "id": record.id,
                        "reference": record.reference,
                        "robot": record.robot_id,
                        "state": record.state,
                        "outcome": record.outcome,
                        "route": record.route,
                        "reasons": record.reasons,
                        "errors": record.errors,
                        "source_ref": source_ref,
                        "last_error": record.last_error,
                    },
                    ensure_ascii=False,
                )
            )
        return
    table = Table(title="Saker")
    for column in ("Id", "Referanse", "Fil", "Tilstand", "Utfall", "Grunner / feil"):
        table.add_column(column)
    for record, source_ref in rows:
        detail = "; ".join(_problem_line(e) for e in record.errors or [])
        detail = detail or ", ".join(record.reasons or []) or (record.last_error or "")
        table.add_row(
            str(record.id),
            record.reference or "",
            source_ref,
            record.state,
            record.outcome or "",
            detail,
        )
    make_console().print(table)


def _problem_line(error: dict[str, str]) -> str:
    """One quarantine problem: field, what is wrong and how to fix it."""
    text = f"{error.get('field') or '(fil)'}: {error.get('reason', '')}"
    fix = error.get("fix")
    return f"{text} — rett slik: {fix}" if fix else text


@cases_app.command("retry")
def cases_retry(
    case: Annotated[str, typer.Argument(help="The case's reference or id.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="The corrected case file to use instead.")
    ] = None,
    inbox: Annotated[
        Path | None, typer.Option("--inbox", help="Folder to read the case's file from again.")
    ] = None,
    delivered: Annotated[
        bool, typer.Option("--delivered", help="A letter in doubt did arrive: mark it sent.")
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="A letter in doubt did not arrive: send it again.")
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Retry a quarantined or parked case: re-read its fixed file, or resume where it failed."""
    from runner.casework.retry import retry_case

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        result = retry_case(
            settings, store, case, file=file, inbox=inbox, delivered=delivered, resend=resend
        )
    record = result.case
    console = make_console()
    if result.resubmitted_from is not None:
        how = "ny versjon av filen" if result.content_changed else "samme fil"
        console.print(
            f"Sak {record.id} sendt inn på nytt fra {result.resubmitted_from} ({how}).",
            soft_wrap=True,
        )
    name = record.reference or record.id
    console.print(f"Sak {name} er nå '{record.state}'.")
    for problem in record.errors or []:
        console.print(f"  - {problem['field'] or '(fil)'}: {problem['reason']} ({problem['fix']})")
    if record.last_error:
        console.print(f"  Feil: {record.last_error}")
    if record.state in ("quarantined", "parked"):
        raise typer.Exit(1)


def explain_command(
    case: Annotated[str, typer.Argument(help="The case's reference (e.g. BS-2026-000001) or id.")],
    malform: Annotated[str, typer.Option("--malform", help="nb or nn.")] = "nb",
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
    show_personal_data: Annotated[
        bool,
        typer.Option(
            "--show-personal-data",
            help="Show national ids in full (masked to the birth date by default, as on the "
            "review page).",
        ),
    ] = False,
) -> None:
    """Explain a decision: the facts, each rule with values and legal basis, the letter."""
    from runner.explain import explain_case

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        explain_case(
            store,
            case,
            malform=malform,
            as_json=as_json,
            console=make_console(),
            show_personal_data=show_personal_data,
        )
