"""Benchmark: cases per second for 1, 2 and 4 worker processes on PostgreSQL, 1 on SQLite.

Usage: .venv/bin/python bench/scale.py [--cases 400] [--workers 1 2 4] [--json]
For each setting the cases are stored as `received` first (intake is not timed), then N real
`saksrobot worker --idle-exit` processes work them off. Cases per second are taken from the
audit trail (first to last robot event), so process start-up is not counted; the wall time
with start-up is printed too. CPU utilisation is the machine's busy share from /proc/stat
(workers and the PostgreSQL server) over the cores, and the workers' own CPU seconds.
Needs the PostgreSQL server on 127.0.0.1:5432 (trust auth). Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from demo.make_mapdata import on_clear_spot  # noqa: E402
from demo.synthetic import SCENARIOS, byggesak_case  # noqa: E402
from runner.store import Store, open_store  # noqa: E402

ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
ROBOT = "byggesak-smatiltak"


def add_cases(store: Store, count: int) -> None:
    rng = random.Random(7)
    scenarios = sorted(SCENARIOS)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    for index in range(count):
        reference = f"SCALE-{index:06d}"
        case = byggesak_case(
            rng,
            scenarios[index % len(scenarios)],
            reference=reference,
            received_at=start + timedelta(minutes=7 * index),
            malform="nn" if index % 2 else "nb",
        )
        case = on_clear_spot(case)  # the facts step reads the demo map data for each case
        store.add_raw_item(
            robot_id=ROBOT,
            source="folder",
            source_ref=f"{reference}.json",
            content=json.dumps(case, ensure_ascii=False).encode(),
        )


def cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine."""
    with open("/proc/stat") as stat:
        fields = [float(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(url: str, data: Path, workers: int, cases: int) -> dict[str, Any]:
    with open_store(url) as store:
        add_cases(store, cases)
    env = {
        "SAKSROBOT_SETTINGS": str(ROOT / "demo" / "saksrobot.toml"),
        "SAKSROBOT_DATA_DIR": str(data),
        "SAKSROBOT_LOG_LEVEL": "warning",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }
    command = [sys.executable, "-m", "runner.cli", "worker", "--store", url, "--idle-exit"]
    busy0, total0 = cpu_times()
    own0 = children_cpu()
    started = time.perf_counter()
    processes = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    codes = [process.wait() for process in processes]
    wall = time.perf_counter() - started
    busy1, total1 = cpu_times()
    own = children_cpu() - own0
    with open_store(url, upgrade=False) as store, store.engine.connect() as conn:
        first, last = conn.exec_driver_sql(
            "SELECT min(at), max(at) FROM events WHERE actor = 'robot' AND kind != 'received'"
        ).one()
        done = conn.exec_driver_sql(
            "SELECT count(*) FROM cases WHERE state IN ('sent', 'pending_review', "
            "'quarantined', 'parked')"
        ).scalar()
    span = (_as_datetime(last) - _as_datetime(first)).total_seconds()
    return {
        "workers": workers,
        "cases": cases,
        "done": done,
        "exit_codes": codes,
        "cases_per_s": (done or 0) / span if span else 0.0,
        "wall_s": wall,
        "machine_cpu_pct": 100 * (busy1 - busy0) / (total1 - total0),
        "worker_cpu_s": own,
    }


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def postgres_run(workers: int, cases: int, tmp: Path) -> dict[str, Any]:
    name = f"saksrobot_scale_{secrets.token_hex(4)}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        return measure(url, tmp / f"pg{workers}", workers, cases)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    results: dict[str, Any] = {"cores": os.cpu_count(), "postgresql": [], "sqlite": None}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for workers in args.workers:
            results["postgresql"].append(postgres_run(workers, args.cases, base))
        sqlite_url = f"sqlite:///{base}/sqlite/saksrobot.db"
        results["sqlite"] = measure(sqlite_url, base / "sqlite", 1, args.cases)
    one = results["postgresql"][0]["cases_per_s"] or 1.0
    for row in results["postgresql"]:
        row["speedup"] = row["cases_per_s"] / one
    if args.json:
        print(json.dumps(results))
        return
    print(f"{args.cases} byggesaker per setting, {results['cores']} cores")
    print(
        f"{'store':<11}{'workers':>8}{'cases/s':>10}{'speed-up':>10}{'wall s':>9}"
        f"{'machine CPU':>13}{'worker CPU s':>14}"
    )
    for row in [*results["postgresql"], results["sqlite"]]:
        store = "PostgreSQL" if "speedup" in row else "SQLite"
        speedup = f"{row['speedup']:.2f}x" if "speedup" in row else "-"
        print(
            f"{store:<11}{row['workers']:>8}{row['cases_per_s']:>10.1f}{speedup:>10}"
            f"{row['wall_s']:>9.1f}{row['machine_cpu_pct']:>12.0f}%{row['worker_cpu_s']:>14.1f}"
        )
        if row["done"] != row["cases"] or any(row["exit_codes"]):
            print(
                f"  warning: {row['done']} of {row['cases']} done, exit codes {row['exit_codes']}"
            )


if __name__ == "__main__":
    main()
