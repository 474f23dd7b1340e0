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
        "(default: ./saksrobot.toml; only `saksrobot demo` falls back to the demo settings).",
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

#: The demo deployment's settings, used by `saksrobot demo` when no --settings is given.
DEMO_SETTINGS = Path(__file__).resolve().parent.parent.parent / "demo" / "saksrobot.toml"


def load_cli_settings(path: Path | None, store: str | None = None) -> Settings:
    """The settings from `path` (default ./saksrobot.toml), with --store over the configured
    store URL; logging is configured from them. No settings given and no ./saksrobot.toml is a
    SettingsError: only `saksrobot demo` runs on the demo settings."""
    from runner.errors import SettingsError
    from runner.logs import configure_logging
    from runner.settings import load_settings

    if path is None:
        local = Path("saksrobot.toml")
        if not local.is_file():
            raise SettingsError(
                f"Ingen innstillinger: fant ikke saksrobot.toml i {Path.cwd()}",
                fix="Gi --settings STI/saksrobot.toml, sett SAKSROBOT_SETTINGS, eller kjør "
                "kommandoen i mappen med saksrobot.toml (saksrobot demo bruker demo-oppsettet).",
            )
        path = local
    overrides: dict[str, Any] = {"store_url": store} if store else {}
    settings = load_settings(path, **overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def open_cli_store(settings: Settings, *, create: bool = False) -> Store:
    """The store the settings name (use it in a `with` block). A SQLite file that does not
    exist is refused (StoreError naming `saksrobot db upgrade`) unless `create`: only
    `db upgrade` and `demo` create a store, so a typo in a path never makes an empty one."""
    from runner.errors import StoreError
    from runner.store import open_store
    from runner.store.engine import parse_url, sqlite_path

    if not create:
        path = sqlite_path(parse_url(settings.database_url))
        if path is not None and not path.exists():
            raise StoreError(
                f"Saksarkivet {path} finnes ikke",
                fix="Rett --store/store_url, eller opprett arkivet med "
                "`saksrobot db upgrade` (med de samme innstillingene).",
            )
    return open_store(settings.database_url)


#: The width of every command's output when it is not a terminal (a pipe, a file, a CI log):
#: wide enough that no table column is cut or squeezed; tables are only as wide as their
#: content, and panels fit theirs (runner/explain.py).
PIPE_WIDTH = 1000


def make_console(err: bool = False) -> Any:
    """A rich console on stdout (or stderr): the terminal's width, or PIPE_WIDTH when the
    output is not a terminal."""
    from rich.console import Console

    printer = Console(stderr=err, highlight=False)
    if not printer.is_terminal:
        printer.width = PIPE_WIDTH
    return printer


def fail(error: Exception) -> NoReturn:
    """Print a saksrobot error (what went wrong and how to fix it) and exit with code 2;
    any other error is raised again."""
    from runner.errors import SaksrobotError

    if isinstance(error, SaksrobotError):
        from rich.text import Text

        message = Text.assemble(("Feil: ", "bold red"), str(error))  # not markup: "[kommune]"
        make_console(err=True).print(message, soft_wrap=True)
        raise typer.Exit(2) from error
    raise error


__all__ = [
    "DEMO_SETTINGS",
    "PIPE_WIDTH",
    "JsonOption",
    "SettingsOption",
    "StoreOption",
    "fail",
    "load_cli_settings",
    "make_console",
    "open_cli_store",
]
