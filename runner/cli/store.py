"""`saksrobot audit verify|export`, `saksrobot retention` and `saksrobot db upgrade`: the
store's audit trail, what it keeps, and its schema."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from runner.cli.options import (
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)

if TYPE_CHECKING:
    from runner.store import Store

audit_app = typer.Typer(
    help="Check and export the tamper-evident audit trail.", no_args_is_help=True
)
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


def parse_moment(value: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time (UTC when it names no offset)."""
    from datetime import UTC

    from runner.errors import UsageError

    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(
            f"{option} {value!r} er ikke en dato",
            fix=f"Skriv {option} 2026-12-01 (dato, UTC) eller 2026-12-01T08:00:00+01:00.",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _write_lines(store: Store, since: datetime, until: datetime | None, out: TextIO) -> int:
    from runner.store.schema import dumps_json

    count = 0
    for event in store.export_audit(since, until):
        out.write(dumps_json(event) + "\n")
        count += 1
    return count


@audit_app.command("export")
def audit_export(
    since: Annotated[
        str, typer.Option("--since", help="First day (YYYY-MM-DD, UTC) or time (ISO 8601).")
    ],
    until: Annotated[
        str | None,
        typer.Option("--until", help="Up to, not including, this day or time (default: now)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Write to this file (mode 600, replaced whole) instead of stdout."
        ),
    ] = None,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Write the case trails' and the security log's events as JSON lines for a SIEM: one
    event per line, oldest first: timestamp (UTC), event_type, actor, actor_role, kommune,
    source_address, object (case or account id; never personal data), outcome, and the
    event's chain, seq, hash and prev_hash."""
    import os
    import sys
    import tempfile

    from runner.errors import UsageError

    start = parse_moment(since, "--since")
    end = parse_moment(until, "--until") if until is not None else None
    if end is not None and end <= start:
        raise UsageError(
            f"--until {until} er ikke etter --since {since}",
            fix="Gi en --until som kommer etter --since (--until tas ikke med).",
        )
    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        if output is None:
            count = _write_lines(store, start, end, sys.stdout)
            sys.stdout.flush()
        else:
            folder = output.resolve().parent
            handle, temporary = tempfile.mkstemp(prefix=".audit-", dir=folder)  # mode 600
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    count = _write_lines(store, start, end, out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, output)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
    make_console(err=True).print(f"{count} hendelser eksportert.")


def retention_command(
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Only count what would be removed; remove nothing."),
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
) -> None:
    """Remove personal data that has outlived its retention period (the retention table of
    the settings, a kommune's retention_days): quarantined items' input, sent cases' personal
    data, old security-log events. Open cases are never touched; the run is recorded in the
    security log, each case changed in its own trail."""
    from datetime import timedelta

    from rich.table import Table

    from runner.cli.web import CLI_ACTOR
    from runner.store.schema import utcnow

    settings = load_cli_settings(settings_file, store_url)
    retention = settings.retention
    now = utcnow()

    def finished_before(kommunenummer: str | None, case_type: str | None) -> datetime:
        return now - timedelta(days=settings.finished_case_days(kommunenummer, case_type))

    periods = {
        "quarantine_days": retention.quarantine_days,
        "finished_case_days": retention.finished_case_days,
        "default_finished_case_days": retention.default_finished_case_days,
        "security_log_days": retention.security_log_days,
        "kommune_retention_days": {
            number: kommune.retention_days
            for number, kommune in settings.kommuner.items()
            if kommune.retention_days
        },
    }
    with open_cli_store(settings) as store:
        due = store.retention.due(
            quarantined_before=now - timedelta(days=retention.quarantine_days),
            finished_before=finished_before,
            security_before=now - timedelta(days=retention.security_log_days),
        )
        if dry_run:
            store.retention.record_dry_run(due, actor=CLI_ACTOR, periods=periods)
            done = due
        else:
            done = store.retention.remove(due, actor=CLI_ACTOR, periods=periods)
    title = "Oppbevaringstid: dette ville blitt fjernet" if dry_run else "Oppbevaringstid: fjernet"
    table = Table(title=title)
    table.add_column("Kategori")
    table.add_column("Hva")
    table.add_column("Antall", justify="right")
    counts = done.counts()
    table.add_row(
        "karantene",
        f"innhold og feil i elementer i karantene over {retention.quarantine_days} dager",
        str(counts["quarantined"]),
    )
    table.add_row(
        "avsluttede saker",
        "personopplysninger i sendte saker etter "
        + ", ".join(f"{kind} {days}" for kind, days in retention.finished_case_days.items())
        + " dager (eller kommunens egne)",
        str(counts["finished"]),
    )
    table.add_row(
        "sikkerhetslogg",
        f"hendelser eldre enn {retention.security_log_days} dager",
        str(counts["security_log"]),
    )
    console = make_console()
    console.print(table)
    if dry_run:
        console.print("Prøvekjøring: ingenting er fjernet. Kjør uten --dry-run for å fjerne.")
    else:
        console.print("Kjøringen er ført i sikkerhetsloggen (saksrobot audit export).")


@db_app.command("upgrade")
def db_upgrade(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """Create the store if missing and apply database migrations (Alembic) up to the newest
    schema."""
    from runner.store import open_store

    settings = load_cli_settings(settings_file, store_url)
    with open_store(settings.database_url, upgrade=True):
        pass
    make_console().print("Databasen er oppdatert.")
