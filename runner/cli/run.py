"""`saksrobot run`, `demo` and `status`: run robots over their inboxes and show the result."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from runner.cli.options import (
    DEMO_SETTINGS,
    JsonOption,
    SettingsOption,
    StoreOption,
    load_cli_settings,
    make_console,
    open_cli_store,
)

if TYPE_CHECKING:
    from runner.settings import Settings
    from runner.store import Store


def run_command(
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

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
        summary = _run_one(settings, store, robot_id, inbox, as_json, intake_only)
        problems = [] if summary.stopped_early else _follow_up(settings, store)
    _print_summaries([summary], as_json=as_json)
    for problem in problems:
        make_console(err=as_json).print(problem, markup=False)


def _follow_up(settings: Settings, store: Store) -> list[str]:
    """After the run's robots: every kommune's archive answers and SvarUt statuses
    (runner/followup.py); what could not be fetched, in Norwegian."""
    from runner.followup import after_run

    return [
        f"Oppfølging av kommune {report.kommunenummer}: {problem}"
        for report in after_run(settings, store)
        for problem in report.problems
    ]


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
        console=make_console(err=True),
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
                on_wait=lambda message: make_console(err=True).print(message),
                intake_only=intake_only,
            )
    finally:
        progress.stop()


def _print_summaries(summaries: list[Any], *, as_json: bool, outbox: Path | None = None) -> None:
    from rich.table import Table

    console = make_console(err=as_json)
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
        for problem in s.source_problems:
            console.print(f"{s.robot_id}: {problem}", markup=False)
    if summaries and summaries[0].outbox is not None:
        console.print(f"Brev (PDF) ligger i: {summaries[0].outbox}")


def demo_command(
    settings_file: SettingsOption = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the previous demo store.")] = False,
) -> None:
    """Run every robot on the built-in demo data with an embedded SQLite store."""
    import shutil
    from datetime import UTC, datetime

    from runner.demo import dated_inbox
    from runner.letterfiles import today_in_norway
    from runner.models.robot import load_robots

    settings = load_cli_settings(settings_file or DEMO_SETTINGS)
    if not keep and settings.data_dir.name == ".demo" and settings.data_dir.exists():
        shutil.rmtree(settings.data_dir)
    # The demo's cases dated for today, where the robots' own source folders are.
    demo_inbox = dated_inbox(
        settings.content_dir / "demo" / "inbox",
        settings.data_dir / "inbox",
        today_in_norway(datetime.now(UTC)),
    )
    summaries = []
    with open_cli_store(settings, create=True) as store:
        for robot in load_robots(settings.content_dir / "robots").values():
            source_path = getattr(robot.source, "path", None)  # an IMAP robot has none
            if source_path is None:
                continue
            inbox = demo_inbox / source_path.removeprefix("inbox/")
            if not inbox.exists():
                continue
            summaries.append(_run_one(settings, store, robot.id, inbox, False))
        problems = _follow_up(settings, store)
    _print_summaries(summaries, as_json=False)
    for problem in problems:
        make_console().print(problem, markup=False)
    console = make_console()
    from runner.cli.web import demo_caseworker
    from runner.kommuner.summary import kommune_table, review_table

    shown_settings = _shown(settings_file or DEMO_SETTINGS)
    with open_cli_store(settings) as store:
        console.print(kommune_table(store, settings))
        console.print(review_table(store, settings))
        console.print(f"Saksarkiv (SQLite): {settings.database_url}")
        waiting = store.list_cases(state="pending_review", limit=1)
        if waiting:
            example = waiting[0].reference or str(waiting[0].id)
            console.print(
                f"Se en sak: .venv/bin/saksrobot explain {example} --settings {shown_settings}"
            )
        console.print(
            "Saker til saksbehandler: .venv/bin/saksrobot cases list --state pending_review "
            f"--settings {shown_settings}"
        )
        demo_caseworker(store, settings, console)
    console.print(
        "Fiks IO, Fiks Arkiv og SvarUt er av i demokommunene; en kommune slår dem på med "
        "[maskinporten], [fiks_io], [fiks_arkiv] og [svarut] i kommunefilen "
        "(docs/national-components.md). make demo kjører etter dette rundturen gjennom Fiks IO "
        "og Fiks Arkiv på RabbitMQ: en søknad fra byggesøknadsportalen inn, vedtaket ut, "
        "arkivmeldingen til et demoarkiv og kvitteringen tilbake (bare Fiks IO sitt "
        "REST-grensesnitt, Maskinporten og arkivet er lokale stand-ins); alene: "
        ".venv/bin/python -m demo.roundtrip. Brev gjennom SvarUt, prøvd mot SvarUts publiserte "
        "API-beskrivelse: .venv/bin/pytest tests/channels/test_svarut.py",
        markup=False,
    )


def _shown(path: Path) -> str:
    """The settings path as the user can type it here (relative when under this folder)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def status_command(
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show how many cases each robot has in each state."""
    from rich.table import Table

    settings = load_cli_settings(settings_file, store_url)
    with open_cli_store(settings) as store:
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
    make_console().print(table)
    from runner.cli.worker import print_workers

    with open_cli_store(settings) as store:
        print_workers(store, make_console())
