"""Fuzz every source for longer than CI does: many new examples per source, not the fixed few.

Runs tests/robustness/test_fuzz_sources.py (mutated PDF forms, workbooks, NAV søknader,
e-mails and work items; for each: nothing raises, the item rests, the valid item beside it is
processed, a second pass is clean) with SAKSROBOT_FUZZ_EXAMPLES examples per source and fresh
random examples each time (SAKSROBOT_FUZZ_DERANDOMIZE=0). About 30 s per 1000 examples and
source on one core. A failure prints hypothesis' smallest failing example.

    .venv/bin/python bench/fuzz_sources.py [--examples 2000] [--source workbooks]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pdf_forms", "workbooks", "nav_soknader", "emails", "work_items"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000, help="examples per source")
    parser.add_argument("--source", choices=SOURCES, action="append", help="only these sources")
    args = parser.parse_args()
    env = dict(os.environ, SAKSROBOT_FUZZ_EXAMPLES=str(args.examples))
    env["SAKSROBOT_FUZZ_DERANDOMIZE"] = "0"
    failed = []
    for source in args.source or SOURCES:
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             "tests/robustness/test_fuzz_sources.py", "-k", f"test_mutated_{source}"],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        verdict = "ok" if result.returncode == 0 else "FAILED"
        print(f"{source:14} {args.examples:6d} examples  {seconds:7.1f} s  {verdict}")
        if result.returncode != 0:
            failed.append(source)
            print(result.stdout[-6000:])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
