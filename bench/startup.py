"""Benchmark: how long `saksrobot --help` takes, as a new process each time.

Usage: .venv/bin/python bench/startup.py [--runs 15] [--json]
Starts `saksrobot --help` (the console script's own entry point, runner.cli:main, from this
checkout) `--runs` times and prints the median and the fastest and slowest wall-clock
milliseconds. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY = "import sys; sys.argv[0] = 'saksrobot'; from runner.cli import main; main()"


def run_once() -> float:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", ENTRY, "--help"],
        check=True,
        stdout=subprocess.DEVNULL,
        env=environment,
        cwd=ROOT,
    )
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    run_once()  # warm the file cache and the .pyc files
    timings = [run_once() for _ in range(args.runs)]
    median = statistics.median(timings)
    if args.json:
        print(json.dumps({"help_ms": median, "min_ms": min(timings), "max_ms": max(timings)}))
        return
    print(
        f"saksrobot --help, {args.runs} runs: median {median:.0f} ms "
        f"(fastest {min(timings):.0f}, slowest {max(timings):.0f})"
    )


if __name__ == "__main__":
    main()
