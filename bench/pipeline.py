"""Benchmark: cases per second end to end, milliseconds per stage and peak memory.

Usage: .venv/bin/python bench/pipeline.py [--cases 2000] [--seed 7]
Generates byggesak cases across every demo scenario into a temporary inbox, runs the byggesak
robot once on a fresh SQLite store and prints the numbers. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.logs import configure_logging  # noqa: E402
from runner.run import find_robot, run_robot  # noqa: E402
from runner.settings import load_settings  # noqa: E402
from runner.store import open_store  # noqa: E402
from runner.synthetic import SCENARIOS, byggesak_case  # noqa: E402


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
        (inbox / f"BENCH-{index:06d}.json").write_text(json.dumps(case), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    configure_logging("warning", "console")
    with tempfile.TemporaryDirectory() as tmp:
        inbox = Path(tmp) / "inbox"
        generate(inbox, args.cases, args.seed)
        settings = load_settings(ROOT / "demo" / "saksrobot.toml", data_dir=Path(tmp) / "data")
        robot = find_robot(settings, "byggesak-smatiltak")
        with open_store(settings.database_url) as store:
            started = time.perf_counter()
            summary = run_robot(settings, store, robot, inbox=inbox)
            elapsed = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = summary.received
    print(f"cases: {total}  finalised: {summary.finalised}  review: {summary.review}  "
          f"quarantined: {summary.quarantined}  parked: {summary.parked}")
    print(f"elapsed: {elapsed:.2f} s   throughput: {total / elapsed:.1f} cases/s")
    print("ms per case by stage (averaged over all cases):")
    for stage, ms in sorted(summary.stage_ms.items(), key=lambda kv: -kv[1]):
        print(f"  {stage:<10} {ms / max(total, 1):8.2f} ms")
    print(f"peak RSS: {peak_mb:.0f} MiB")


if __name__ == "__main__":
    main()
