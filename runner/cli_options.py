"""Options every saksrobot command shares: --settings, --store and --json."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

SettingsOption = Annotated[
    Path | None,
    typer.Option(
        "--settings",
        help="The deployment's saksrobot.toml, with its kommuner/ folder beside it "
        "(default: ./saksrobot.toml, else the demo settings).",
        envvar="SAKSROBOT_SETTINGS",
    ),
]
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="Store URL, e.g. sqlite:///var/saksrobot.db or postgresql+psycopg://…"
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]

__all__ = ["JsonOption", "SettingsOption", "StoreOption"]
