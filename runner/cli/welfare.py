"""`saksrobot forelopig-svar`: send a foreløpig svar (fvl. § 11 a) to cases waiting a month."""

from __future__ import annotations

from typing import Annotated

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)


def forelopig_svar_command(
    robot: Annotated[
        str | None,
        typer.Option("--robot", help="Only this robot (default: every robot with the letter)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List the cases, send nothing.")
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Send a foreløpig svar to every case waiting for review more than a month (once each)."""
    from datetime import UTC, datetime

    from rich.table import Table

    from runner.channels import FolderChannel
    from runner.letters import LetterTemplates, PdfRenderer
    from runner.models.robot import load_robots
    from runner.welfare.forelopig import LETTER, ForelopigSvar

    settings = load_cli_settings(settings_file, store_url)
    robots = load_robots(settings.content_dir / "robots")
    templates = LetterTemplates(settings.content_dir / "templates")
    chosen = [
        r
        for r in robots.values()
        if (robot is None or r.id == robot) and templates.exists(f"{r.case_model}/{LETTER}", "nb")
    ]
    if robot is not None and not chosen:
        typer.echo(f"Roboten '{robot}' finnes ikke eller har ingen mal for foreløpig svar.")
        raise typer.Exit(2)
    table = Table(title="Foreløpig svar (forvaltningsloven § 11 a)")
    for column in ("Robot", "Sak", "Mottatt", "Handling"):
        table.add_column(column)
    pdf = PdfRenderer()
    with open_cli_store(settings) as store:
        for definition in chosen:
            runner = ForelopigSvar(
                settings, store, definition, templates=templates, pdf=pdf,
                channel=FolderChannel(settings.outbox),
            )  # fmt: skip
            for result in runner.run(datetime.now(UTC), dry_run=dry_run):
                table.add_row(definition.id, result.reference or str(result.case_id),
                              result.received.isoformat(), result.action)  # fmt: skip
    make_console().print(table)
