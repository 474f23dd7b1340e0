"""The `saksrobot` command: run robots, inspect cases, explain decisions, test rules."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from runner.cli_options import JsonOption, SettingsOption, StoreOption
from runner.lazycli import LazyCommand, lazy_group

if TYPE_CHECKING:
    from runner.settings import Settings
    from runner.store import Store

#: Commands whose module (and the rule engine it needs) is imported only when they run.
LAZY_COMMANDS = {
    "rules": LazyCommand(
        "runner.rules.cli",
        "rules_app",
        "Work with rule sets (rules/<id>/): test, check, diff and scaffold them.",
    ),
    "replay": LazyCommand(
        "runner.rules.cli",
        "replay_command",
        "Re-evaluate a stored decision under the rule-set version it was made with and confirm "
        "the same result; exit 1 on any difference.",
    ),
    "kommuner": LazyCommand(
        "runner.kommuner.cli",
        "kommuner_app",
        "The kommuner this deployment serves (kommuner/NNNN-name.toml): list and check them.",
    ),
    "worker": LazyCommand(
        "runner.worker",
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
cases_app = typer.Typer(help="List and retry cases in the store.", no_args_is_help=True)
audit_app = typer.Typer(help="Check the tamper-evident audit trail.", no_args_is_help=True)
db_app = typer.Typer(help="Manage the store's database schema.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")

DEMO_SETTINGS = Path(__file__).resolve().parent.parent / "demo" / "saksrobot.toml"


def _settings(path: Path | None, store: str | None = None) -> Settings:
    from runner.logs import configure_logging
    from runner.settings import load_settings

    if path is None:
        local = Path("saksrobot.toml")
        path = local if local.is_file() else DEMO_SETTINGS
    overrides: dict[str, Any] = {"store_url": store} if store else {}
    settings = load_settings(path, **overrides)
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _store(settings: Settings) -> Store:
    from runner.store import open_store

    return open_store(settings.database_url)


def _console(err: bool = False) -> Any:
    from rich.console import Console

    console = Console(stderr=err, highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, 110)
    return console


def _fail(error: Exception) -> None:
    from runner.errors import SaksrobotError

    console = _console(err=True)
    if isinstance(error, SaksrobotError):
        console.print(f"[bold red]Feil:[/] {error}", markup=True, soft_wrap=True)
        raise typer.Exit(2) from error
    raise error


@app.command()
def run(
    robot_id: Annotated[str, typer.Argument(help="The robot to run, e.g. byggesak-smatiltak.")],
    inbox: Annotated[
        Path | None, typer.Option("--inbox", help="Read cases from this folder or work-items file.")
    ] = None,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
    intake_only: Annotated[
        bool,
        typer.Option("--intake-only", help="Only store new items; `saksrobot worker` processes."),
    ] = False,
) -> None:
    """Run a robot once over its inbox: quarantine bad items, decide, draft, send."""
    from runner.errors import SaksrobotError

    try:
        settings = _settings(settings_file, store_url)
        with _store(settings) as store:
            summary = _run_one(settings, store, robot_id, inbox, as_json, intake_only)
    except SaksrobotError as error:
        _fail(error)
        return
    _print_summaries([summary], as_json=as_json)


def _run_one(
    settings: Settings,
    store: Store,
    robot_id: str,
    inbox: Path | None,
    as_json: bool,
    intake_only: bool = False,
) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from runner.run import StopFlag, find_robot, run_robot

    robot = find_robot(settings, robot_id)
    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=_console(err=True),
        transient=True,
    )
    task = progress.add_task(robot.id, total=None)

    def on_total(total: int) -> None:
        progress.update(task, total=total)
        if total > 25 and sys.stderr.isatty():
            progress.start()

    def on_case(report: Any) -> None:
        progress.advance(task)
        if as_json:
            sys.stdout.write(json.dumps(report.as_json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()

    stop = StopFlag()
    try:
        with stop.installed():
            return run_robot(
                settings,
                store,
                robot,
                inbox=inbox,
                on_case=on_case,
                on_total=on_total,
                stop=stop,
                on_wait=lambda message: _console(err=True).print(message),
                intake_only=intake_only,
            )
    finally:
        progress.stop()


def _print_summaries(summaries: list[Any], *, as_json: bool, outbox: Path | None = None) -> None:
    from rich.table import Table

    console = _console(err=as_json)
    table = Table(title="Saksrobot: resultat av kjøringen")
    for column in (
        "Robot",
        "Mottatt",
        "Duplikat",
        "Karantene",
        "Ferdig sendt",
        "Til saksbehandler",
        "Parkert",
    ):
        table.add_column(column, justify="right" if column != "Robot" else "left")
    for s in summaries:
        table.add_row(
            s.robot_id,
            str(s.received + s.resumed),
            str(s.duplicates),
            str(s.quarantined),
            str(s.finalised),
            str(s.review),
            str(s.parked),
        )
    console.print(table)
    for s in summaries:
        if s.outcomes:
            parts = ", ".join(f"{k}: {v}" for k, v in sorted(s.outcomes.items()))
            console.print(f"{s.robot_id} utfall — {parts}")
        if s.stopped_early:
            console.print(f"{s.robot_id}: stoppet etter signal; resten tas ved neste kjøring.")
    if summaries and summaries[0].outbox is not None:
        console.print(f"Brev (PDF) ligger i: {summaries[0].outbox}")


@app.command()
def demo(
    settings_file: SettingsOption = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the previous demo store.")] = False,
) -> None:
    """Run every robot on the built-in demo data with an embedded SQLite store."""
    import shutil

    from runner.errors import SaksrobotError
    from runner.models.robot import load_robots

    try:
        settings = _settings(settings_file or DEMO_SETTINGS)
        if not keep and settings.data_dir.name == ".demo" and settings.data_dir.exists():
            shutil.rmtree(settings.data_dir)
        demo_inbox = settings.content_dir / "demo" / "inbox"
        summaries = []
        with _store(settings) as store:
            for robot in load_robots(settings.content_dir / "robots").values():
                source_path = getattr(robot.source, "path", None)  # an IMAP robot has none
                if source_path is None:
                    continue
                inbox = demo_inbox / source_path.removeprefix("inbox/")
                if not inbox.exists():
                    continue
                summaries.append(_run_one(settings, store, robot.id, inbox, False))
    except SaksrobotError as error:
        _fail(error)
        return
    _print_summaries(summaries, as_json=False)
    console = _console()
    from runner.kommuner.summary import kommune_table
    from runner.web.cli import demo_caseworker

    with _store(settings) as store:
        console.print(kommune_table(store, settings))
        console.print(f"Saksarkiv (SQLite): {settings.database_url}")
        waiting = store.list_cases(state="pending_review", limit=1)
        if waiting:
            example = waiting[0].reference or str(waiting[0].id)
            console.print(f"Se en sak: .venv/bin/saksrobot explain {example}")
        console.print(
            "Saker til saksbehandler: .venv/bin/saksrobot cases list --state pending_review"
        )
        demo_caseworker(store, settings, console)


@app.command()
def status(
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show how many cases each robot has in each state."""
    from rich.table import Table

    settings = _settings(settings_file, store_url)
    with _store(settings) as store:
        counts = store.count_by_state()
    if as_json:
        data = [{"robot": r, "state": s, "count": n} for (r, s), n in sorted(counts.items())]
        print(json.dumps(data, ensure_ascii=False))
        return
    table = Table(title="Saker per robot og tilstand")
    table.add_column("Robot")
    table.add_column("Tilstand")
    table.add_column("Antall", justify="right")
    for (robot_id, state), count in sorted(counts.items()):
        table.add_row(robot_id, state, str(count))
    _console().print(table)
    from runner.worker import print_workers

    with _store(settings) as store:
        print_workers(store, _console())


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

    settings = _settings(settings_file, store_url)
    with _store(settings) as store:
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
        detail = "; ".join(f"{e['field'] or '(fil)'}: {e['reason']}" for e in record.errors or [])
        detail = detail or ", ".join(record.reasons or []) or (record.last_error or "")
        table.add_row(
            str(record.id),
            record.reference or "",
            source_ref,
            record.state,
            record.outcome or "",
            detail,
        )
    _console().print(table)


@app.command()
def explain(
    case: Annotated[str, typer.Argument(help="The case's reference (e.g. BS-2026-000001) or id.")],
    malform: Annotated[str, typer.Option("--malform", help="nb or nn.")] = "nb",
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Explain a decision: the facts, each rule with values and legal basis, the letter."""
    from runner.errors import SaksrobotError
    from runner.explain import explain_case

    settings = _settings(settings_file, store_url)
    try:
        with _store(settings) as store:
            explain_case(store, case, malform=malform, as_json=as_json, console=_console())
    except SaksrobotError as error:
        _fail(error)


@audit_app.command("verify")
def audit_verify(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """Recompute every case's event hash chain and report rows changed or removed."""
    settings = _settings(settings_file, store_url)
    with _store(settings) as store:
        problems = store.verify_audit()
    console = _console()
    if problems:
        for problem in problems:
            console.print(f"[red]{problem}[/]")
        raise typer.Exit(1)
    console.print("Revisjonssporet er intakt.")


@db_app.command("upgrade")
def db_upgrade(settings_file: SettingsOption = None, store_url: StoreOption = None) -> None:
    """Apply database migrations (Alembic) up to the newest schema."""
    from runner.store import open_store

    settings = _settings(settings_file, store_url)
    with open_store(settings.database_url, upgrade=True):
        pass
    _console().print("Databasen er oppdatert.")


def _register_casework() -> None:
    from runner.casework.cli import cases_retry

    cases_app.command("retry")(cases_retry)


_register_casework()


def _register_welfare() -> None:
    from runner.welfare.cli import forelopig_svar_command

    app.command("forelopig-svar")(forelopig_svar_command)


_register_welfare()


def _register_web() -> None:
    from runner.web.cli import register

    register(app)


_register_web()


def _register_report() -> None:
    from runner.report_cli import report_command

    app.command("report")(report_command)


_register_report()


def main() -> None:
    """Entry point of the `saksrobot` command."""
    app()


if __name__ == "__main__":
    main()
