"""What every saksrobot command shares: the --settings, --store and --json options, and the
helpers that load the settings, open the store, print, and report an error to the user.

Command modules import these (and only these) from here; this module imports nothing costly
at import time, so `saksrobot --help` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from runner.settings import Settings
    from runner.store import Store

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

#: The demo deployment's settings, used when no --settings is given and ./saksrobot.toml is
#: missing.
DEMO_SETTINGS = Path(__file__).resolve().parent.parent.parent / "demo" / "saksrobot.toml"


def load_cli_settings(path: Path | None, store: str | None = None) -> Settings:
    """The settings from `path` (default ./saksrobot.toml, else the demo's), with --store
    over the configured store URL; logging is configured from them."""
    from runner.logs import configure_logging
    from runner.settings import load_settings

    if path is None:
        local = Path("saksrobot.toml")
        path = local if local.is_file() else DEMO_SETTINGS
    overrides: dict[str, Any] = {"store_url": store} if store else {}
    settings = load_settings(path, **overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def open_cli_store(settings: Settings) -> Store:
    """The store the settings name (use it in a `with` block)."""
    from runner.store import open_store

    return open_store(settings.database_url)


def make_console(err: bool = False) -> Any:
    """A rich console on stdout (or stderr); at least 110 columns when not a terminal."""
    from rich.console import Console

    printer = Console(stderr=err, highlight=False)
    if not printer.is_terminal:
        printer.width = max(printer.width, 110)
    return printer


def fail(error: Exception) -> NoReturn:
    """Print a saksrobot error (what went wrong and how to fix it) and exit with code 2;
    any other error is raised again."""
    from runner.errors import SaksrobotError

    if isinstance(error, SaksrobotError):
        make_console(err=True).print(f"[bold red]Feil:[/] {error}", markup=True, soft_wrap=True)
        raise typer.Exit(2) from error
    raise error


__all__ = [
    "DEMO_SETTINGS",
    "JsonOption",
    "SettingsOption",
    "StoreOption",
    "fail",
    "load_cli_settings",
    "make_console",
    "open_cli_store",
]
