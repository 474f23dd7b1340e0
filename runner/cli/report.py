"""`saksrobot report --xlsx FILE`: the report workbook from the store."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)


def report_command(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Write the workbook (.xlsx) here.")],
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Write an Excel report: cases by state, outcome, robot and kommune, and time waited."""
    from runner.report import build_report, write_xlsx

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        report = build_report(store)
    write_xlsx(report, xlsx)
    make_console().print(f"Rapport med {len(report.rows)} saker skrevet til {xlsx}")
