"""Run every benchmark in bench/ and print one table of the numbers against the targets.

Usage: .venv/bin/python bench/run_all.py [--cases 10000] [--quick]
Each benchmark runs as its own process (so memory and startup are its own). `--quick` uses
fewer cases for a faster look. Timings depend on what else runs on the machine: the table
says so, and the CPU-second rates beside the wall-clock ones are the steadier numbers.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Row:
    benchmark: str
    metric: str
    value: float | None
    target: str  # e.g. "≥ 100"; "" for numbers shown for information
    unit: str = ""

    def verdict(self) -> str:
        if self.value is None:
            return "not run"
        if not self.target:
            return ""
        bound = float(self.target.split()[-1].replace(",", ""))
        met = self.value >= bound if self.target.startswith("≥") else self.value <= bound
        return "ok" if met else "MISSED"


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def json_of(script: str, *args: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(run(script, *args, "--json").strip().splitlines()[-1])
    return result


def letters(count: str) -> list[Row]:
    text = run("letters.py", count, "10")
    rows = []
    for section in re.split(r"\n(?=\S+/\S+ \()", text):  # one section per letter
        pages = re.search(r"([\d.]+) pages each", section)
        ours = re.search(r"PDF render \(ours\):\s+([\d.]+) ms", section)
        ratio = re.search(r"ratio RPA.PDF / ours:\s+([\d.]+)x", section)
        if not (pages and ours and ratio):
            continue
        count_pages = float(pages.group(1))
        target = ("≤ 10", "≥ 10") if count_pages == 1.0 else ("", "")  # the letter
        rows.append(
            Row(
                "letters",
                f"PDF render, ms per {count_pages:g}-page letter",
                float(ours.group(1)),
                target[0],
                "ms",
            )
        )
        rows.append(
            Row(
                "letters",
                f"RPA.PDF html_to_pdf / ours, {count_pages:g}-page letter",
                float(ratio.group(1)),
                target[1],
                "x",
            )
        )
    return rows


def rules() -> list[Row]:
    found = json_of("rules.py")
    return [
        Row("rules", "evaluations/s, with trace (wall)", found["traced_per_s"], "≥ 5,000"),
        Row("rules", "evaluations/s, with trace (per CPU s)", found["traced_per_cpu_s"], ""),
        Row("rules", "evaluations/s, with explanations (wall)", found["explained_per_s"], ""),
        Row(
            "rules",
            "welfare evaluations/s, with trace (wall)",
            found.get("sosialhjelp_traced_per_s"),
            "",
        ),
    ]


def pipeline(cases: int) -> list[Row]:
    found = json_of("pipeline.py", "--cases", str(cases))
    rows = [
        Row(
            "pipeline", f"cases/s end to end, {cases:,} cases (wall)", found["cases_per_s"], "≥ 100"
        ),
        Row("pipeline", "cases per CPU second of the process", found["cases_per_cpu_s"], ""),
    ]
    for stage, ms in sorted(found["stage_ms"].items(), key=lambda kv: -kv[1]):
        rows.append(Row("pipeline", f"  {stage} ms per case", ms, "", "ms"))
    for count, mib in found["rss_at_mib"].items():
        rows.append(Row("pipeline", f"RSS after {int(count):,} cases", mib, "", "MiB"))
    rows.append(Row("pipeline", "peak RSS", found["peak_rss_mib"], "", "MiB"))
    return rows


def startup() -> list[Row]:
    found = json_of("startup.py")
    return [Row("startup", "saksrobot --help, median ms", found["help_ms"], "≤ 300", "ms")]


def review(cases: int) -> list[Row]:
    if not (BENCH / "review.py").exists():
        return [Row("review", "bench/review.py (not in this checkout)", None, "")]
    text = run("review.py", "--cases", str(cases))
    rows = []
    for page in ("queue", "case"):
        found = re.search(rf"{page} page:\s+p50 ([\d.]+) ms, p95 ([\d.]+) ms", text)
        p95 = float(found.group(2)) if found else None
        rows.append(Row("review", f"{page} page p95 ms, {cases:,} cases", p95, "≤ 100", "ms"))
    return rows


def fiks(count: int) -> list[Row]:
    found = json_of("fiks.py", str(count))
    rows = [Row("fiks", "out: sign + encrypt, messages/s", found["out_crypto_per_s"], "")]
    if found.get("in_per_s") is None:
        return [*rows, Row("fiks", "in and API out (RabbitMQ not reachable)", None, "")]
    return [
        *rows,
        Row("fiks", "out: through the send API (local stand-in), msg/s", found["out_api_per_s"],
            ""),
        Row("fiks", "in: AMQP + decrypt + verify, messages/s", found["in_per_s"], ""),
    ]  # fmt: skip


def mapfacts(quick: bool) -> list[Row]:
    features = "20000" if quick else "100000"
    found = json_of("mapfacts.py", "--features", features)
    count = int(features)
    return [
        Row("mapfacts", f"all map checks, ms per case, {count:,} features/dataset",
            found["case_ms_median"], "≤ 1", "ms"),
        Row("mapfacts", "  p95 ms per case", found["case_ms_p95"], "", "ms"),
        Row("mapfacts", "  load 8 datasets, s", found["load_seconds"], "", "s"),
        Row("mapfacts", "  loaded datasets, resident MB", found["load_memory_mb"], "", "MB"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10000, help="pipeline cases")
    parser.add_argument("--quick", action="store_true", help="2,000 pipeline cases, fewer letters")
    args = parser.parse_args()
    cases = 2000 if args.quick else args.cases
    started = time.perf_counter()
    rows: list[Row] = []
    for part in (
        lambda: startup(),
        lambda: rules(),
        lambda: letters("50" if args.quick else "200"),
        lambda: pipeline(cases),
        lambda: review(20_000 if args.quick else 100_000),
        lambda: fiks(50 if args.quick else 200),
        lambda: mapfacts(args.quick),
    ):
        try:
            rows += part()
        except (RuntimeError, ValueError, KeyError) as error:
            rows.append(Row("error", str(error).splitlines()[0][:70], None, ""))
    print(f"{'benchmark':<10} {'metric':<50} {'value':>12} {'target':>10}  result")
    for row in rows:
        value = "" if row.value is None else f"{row.value:,.1f} {row.unit}".strip()
        print(f"{row.benchmark:<10} {row.metric:<50} {value:>12} {row.target:>10}  {row.verdict()}")
    print(
        f"(all benchmarks took {time.perf_counter() - started:.0f} s; one process each; "
        "timings vary with other load on the machine)"
    )


if __name__ == "__main__":
    main()
