"""`saksrobot audit verify` and `saksrobot db upgrade`: the store's audit trail and schema."""

from __future__ import annotations

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)

audit_app = typer.Typer(help="Check the tamper-evident audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the store's database schema.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """Recompute every case's event hash chain and the security log's, and report rows
    changed or removed."""
    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        problems = store.verify_audit() + store.users.log.verify()
    console = make_console()
    if problems:
        for problem in problems:
            console.print(f"[red]{problem}[/]")
        raise typer.Exit(1)
    console.print("Revisjonssporet er intakt.")


@db_app.command("upgrade")
def db_upgrade(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """Create the store if missing and apply database migrations (Alembic) up to the newest
    schema."""
    from runner.store import open_store

    settings = load_cli_settings(settings_file, store_url)
    with open_store(settings.database_url, upgrade=True):
        pass
    make_console().print("Databasen er oppdatert.")
