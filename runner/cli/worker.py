"""`saksrobot worker` (lease cases from the shared store and process them, many at once) and
the workers table `saksrobot status` shows. The worker itself is runner/worker.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from runner.cli.options import SettingsOption, StoreOption, load_cli_settings, open_cli_store

if TYPE_CHECKING:
    from runner.store import Store


def worker_command(
    robots: Annotated[
        list[str] | None,
        typer.Option("--robots", help="Only these robots' cases (repeat the option); default all."),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, help="Cases processed at once (threads).")
    ] = 1,
    lease: Annotated[
        float,
        typer.Option("--lease", min=1.0, help="Seconds a claimed case stays this worker's."),
    ] = 60.0,
    idle_exit: Annotated[
        bool, typer.Option("--idle-exit", help="Stop when no case is waiting.")
    ] = False,
    settings_file: SettingsOption = None,
    store_url: StoreOption = None,
    metrics_port: Annotated[
        int | None,
        typer.Option("--metrics-port", min=1, max=65535, help="Serve Prometheus /metrics here."),
    ] = None,
    metrics_host: Annotated[
        str, typer.Option("--metrics-host", help="Address the metrics port binds to.")
    ] = "127.0.0.1",
) -> None:
    """Process cases from the shared store until stopped; run one per core, on many machines."""
    from runner.errors import NotFoundError
    from runner.models.robot import load_robots
    from runner.run import StopFlag
    from runner.worker import Worker, WorkerOptions

    settings = load_cli_settings(settings_file, store_url)
    known = load_robots(settings.content_dir / "robots")
    wanted = robots or sorted(known)
    unknown = [robot for robot in wanted if robot not in known]
    if unknown:
        raise NotFoundError(
            f"No robot '{unknown[0]}'", fix=f"Known robots: {', '.join(sorted(known))}."
        )
    options = WorkerOptions(
        robots=wanted, concurrency=concurrency, lease_seconds=lease, idle_exit=idle_exit
    )
    stop = StopFlag()
    with open_cli_store(settings) as store, stop.installed():
        if metrics_port is not None:
            from runner.metrics import serve_metrics

            serve_metrics(store, metrics_host, metrics_port)
        worker = Worker(settings, store, {r: known[r] for r in wanted}, options, stop=stop)
        summary = worker.run()
    print(f"{summary.worker_id}: {summary.processed} saker behandlet", flush=True)


#: A worker whose heartbeat is older than this is shown as gone.
ALIVE_SECONDS = 120.0


def print_workers(store: Store, console: Any) -> None:
    """The workers table and backlog of `saksrobot status` (nothing if no worker ever ran)."""
    from datetime import UTC, datetime

    from rich.table import Table

    workers = store.leases.workers()
    backlog = store.leases.backlog()
    if not workers and not backlog:
        return
    now = datetime.now(UTC)
    table = Table(title="Arbeidere (saksrobot worker)")
    for column in ("Arbeider", "Status", "Roboter", "Lån", "Behandlet", "Saker/min"):
        table.add_column(column, justify="left" if column in ("Arbeider", "Status") else "right")
    for worker in workers:
        age = (now - worker.heartbeat_at).total_seconds()
        alive = worker.stopped_at is None and age <= ALIVE_SECONDS
        state = "i live" if alive else ("stoppet" if worker.stopped_at else "borte")
        minutes = max((worker.heartbeat_at - worker.started_at).total_seconds() / 60, 1 / 60)
        table.add_row(
            worker.worker_id,
            state,
            worker.robots,
            str(worker.leases),
            str(worker.processed),
            f"{worker.processed / minutes:.0f}",
        )
    if workers:
        console.print(table)
    for robot_id, (waiting, leased) in sorted(backlog.items()):
        console.print(f"{robot_id}: {waiting} saker venter på en arbeider, {leased} under arbeid")
