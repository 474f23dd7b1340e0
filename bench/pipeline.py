"""Benchmark: cases per second end to end, milliseconds per stage and memory as cases grow.

Usage: .venv/bin/python bench/pipeline.py [--cases 2000] [--seed 7] [--json] [--sql]
Generates byggesak cases across every demo scenario into a temporary inbox, runs the byggesak
robot once on a fresh SQLite store and prints the numbers: wall-clock throughput, throughput
per CPU second of this process (steadier when other work shares the machine), ms per stage,
resident memory after 1,000, 2,000, 5,000, 10,000 and 20,000 cases, and peak RSS. `--json` prints
one JSON object instead (for bench/run_all.py); `--sql` also counts the SQL statements per
case by kind (the count slows the run: read it, not the timings). Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event  # noqa: E402

from demo.make_mapdata import on_clear_spot  # noqa: E402
from demo.synthetic import SCENARIOS, byggesak_case  # noqa: E402
from runner.logs import configure_logging  # noqa: E402
from runner.run import CaseReport, find_robot, run_robot  # noqa: E402
from runner.settings import load_settings  # noqa: E402
from runner.store import open_store  # noqa: E402


def generate(inbox: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    scenarios = sorted(SCENARIOS)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    inbox.mkdir(parents=True)
    for index in range(count):
        scenario = scenarios[index % len(scenarios)]
        case = byggesak_case(
            rng,
            scenario,
            reference=f"BENCH-{index:06d}",
            received_at=start + timedelta(minutes=7 * index),
            kommunenummer="4627",
            malform="nn" if index % 2 else "nb",
        )
        case = on_clear_spot(case)  # the facts step reads the demo map data for each case
        (inbox / f"BENCH-{index:06d}.json").write_text(json.dumps(case), encoding="utf-8")


CHECKPOINTS = (1000, 2000, 5000, 10000, 20000)


class StatementCounter:
    """SQL statements the store sends, by their first words (--sql)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.split()
        one = words[0] in ("SELECT", "SAVEPOINT", "RELEASE")  # their second word varies
        self.counts[" ".join(words[:1] if one else words[:2])] += 1


def rss_mib() -> float:
    """The resident memory of this process now (not the peak)."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--sql", action="store_true", help="count SQL statements per case")
    args = parser.parse_args()
    configure_logging("warning", "console")
    rss_at: dict[int, float] = {}
    done = 0

    def on_case(report: CaseReport) -> None:
        nonlocal done
        done += 1
        if done in CHECKPOINTS:
            rss_at[done] = rss_mib()

    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        generate(inbox, args.cases, args.seed)
        settings = load_settings(ROOT / "demo" / "saksrobot.toml", data_dir=Path(tmp) / "data")
        robot = find_robot(settings, "byggesak-smatiltak")
        with open_store(settings.database_url) as store:
            counter = StatementCounter()
            if args.sql:  # a listener makes every statement slower: numbers, not timings
                event.listen(store.engine, "before_cursor_execute", counter)
            rss_start = rss_mib()
            cpu_started = time.process_time()
            started = time.perf_counter()
            summary = run_robot(settings, store, robot, inbox=inbox, on_case=on_case)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = summary.received
    stages = {stage: ms / max(total, 1) for stage, ms in summary.stage_ms.items()}
    if args.json:
        print(
            json.dumps(
                {
                    "cases": total,
                    "cases_per_s": total / elapsed,
                    "cases_per_cpu_s": total / cpu,
                    "stage_ms": stages,
                    "rss_start_mib": rss_start,
                    "rss_at_mib": rss_at,
                    "peak_rss_mib": peak_mb,
                }
            )
        )
        return
    print(
        f"cases: {total}  finalised: {summary.finalised}  review: {summary.review}  "
        f"quarantined: {summary.quarantined}  parked: {summary.parked}"
    )
    print(
        f"elapsed: {elapsed:.2f} s   throughput: {total / elapsed:.1f} cases/s   "
        f"per CPU second: {total / cpu:.1f} cases"
    )
    print("ms per case by stage (averaged over all cases):")
    for stage, ms in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<10} {ms:8.2f} ms")
    print(
        f"RSS before the run: {rss_start:.0f} MiB; after "
        + ", ".join(f"{count:,} cases: {mib:.0f} MiB" for count, mib in rss_at.items())
    )
    print(f"peak RSS: {peak_mb:.0f} MiB")
    if args.sql:
        print(f"SQL statements per case: {counter.counts.total() / max(total, 1):.2f}")
        for kind, count in counter.counts.most_common():
            print(f"  {kind:<16} {count / max(total, 1):6.2f}")


if __name__ == "__main__":
    main()
