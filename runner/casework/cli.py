"""The `saksrobot cases retry` command (registered on the `cases` group in runner/cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runner.cli_options import SettingsOption, StoreOption


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
    from runner.cli import _console, _fail, _settings, _store
    from runner.errors import SaksrobotError

    try:
        settings = _settings(settings_file, store_url)
        with _store(settings) as store:
            result = retry_case(
                settings, store, case, file=file, inbox=inbox, delivered=delivered, resend=resend
            )
    except SaksrobotError as error:
        _fail(error)
        return
    record = result.case
    console = _console()
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
