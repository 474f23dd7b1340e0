"""Benchmark: rule-set evaluations per second (rules and decision table, compiled CEL).

Usage: .venv/bin/python bench/rules.py [--cases 2000] [--rounds 7] [--json]
For each rule set (byggesak-smatiltak, sosialhjelp-livsopphold) generates cases across
every scenario (each case different, in scenario order; welfare cases get the demo
kommune's norm as `k`, as the pipeline hands it), evaluates the rule set for each, and
prints the median over the rounds of evaluations per second at three depths:
"rules only" (`verdict`: every rule's outcome, the values computed, the decision),
"with trace" (`evaluate(explain=False)`: also each rule's result with the values it
read and its legal basis) and "with explanations" (`evaluate`: also both målformer's
explanations rendered, as the pipeline stores them). Versions without `verdict` measure
"rules only" with the trace.
Rates are per wall-clock second and per CPU second of this process; the CPU rate is the
steadier one when other work shares the machine. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.models.registry import case_model, decision_date  # noqa: E402
from runner.rules import evaluate, load_rule_set  # noqa: E402

try:
    from runner.rules import verdict
except ImportError:  # versions before `verdict`: rules only is the evaluation without explanations
    verdict = None
from demo.synthetic import (  # noqa: E402
    SCENARIOS,
    WELFARE_SCENARIOS,
    byggesak_case,
    sosialhjelp_case,
)
from runner.settings import load_settings  # noqa: E402

#: (rule set directory, case type, scenarios, case generator, key prefix in --json)
RULE_SETS = (
    ("byggesak-smatiltak", "byggesak", SCENARIOS, byggesak_case, ""),
    ("sosialhjelp-livsopphold", "sosialhjelp", WELFARE_SCENARIOS, sosialhjelp_case, "sosialhjelp_"),
)


def make_cases(
    case_type: str,
    scenarios: dict[str, str],
    generate: Callable[..., dict[str, Any]],
    count: int,
    seed: int,
) -> list[tuple[Any, dict[str, Any]]]:
    """`count` cases, each with the kommune parameters (`k`) the pipeline would hand it."""
    model = case_model(case_type)
    kommune = load_settings(ROOT / "demo" / "saksrobot.toml").kommune
    rng = random.Random(seed)
    names = sorted(scenarios)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    cases = []
    for index in range(count):
        case = model.model_validate(
            generate(
                rng,
                names[index % len(names)],
                reference=f"BENCH-{index:06d}",
                received_at=start + timedelta(minutes=7 * index),
                malform="nn" if index % 2 else "nb",
            )
        )
        cases.append((case, kommune.rule_parameters(case_type, decision_date(case))))
    return cases


def rates(run: Callable[[], None], count: int, rounds: int) -> tuple[float, float]:
    """Median evaluations per wall second and per CPU second over `rounds` passes."""
    run()  # warm up: parameter cache, compiled templates, CEL contexts
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        started, cpu_started = time.perf_counter(), time.process_time()
        run()
        wall.append(count / (time.perf_counter() - started))
        cpu.append(count / max(time.process_time() - cpu_started, 1e-9))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    # Versions before `explain=` existed always rendered explanations.
    can_skip = "explain" in inspect.signature(evaluate).parameters
    options: dict[str, Any] = {"explain": False} if can_skip else {}
    found: dict[str, Any] = {"explanations_skippable": can_skip}
    for directory, case_type, scenarios, generate, prefix in RULE_SETS:
        rule_set = load_rule_set(ROOT / "rules" / directory)
        cases = make_cases(case_type, scenarios, generate, args.cases, args.seed)

        def rules_only() -> None:
            for case, kommune in cases:  # noqa: B023 - run before the next rule set
                if verdict is not None:
                    verdict(rule_set, case, kommune=kommune)  # noqa: B023
                else:
                    evaluate(rule_set, case, kommune=kommune, **options)  # noqa: B023

        def traced() -> None:
            for case, kommune in cases:  # noqa: B023
                evaluate(rule_set, case, kommune=kommune, **options)  # noqa: B023

        def explained() -> None:
            for case, kommune in cases:  # noqa: B023
                evaluate(rule_set, case, kommune=kommune)  # noqa: B023

        only_wall, only_cpu = rates(rules_only, len(cases), args.rounds)
        trace_wall, trace_cpu = rates(traced, len(cases), args.rounds)
        full_wall, full_cpu = rates(explained, len(cases), args.rounds)
        found |= {
            f"{prefix}rules_only_per_s": only_wall,
            f"{prefix}rules_only_per_cpu_s": only_cpu,
            f"{prefix}traced_per_s": trace_wall,
            f"{prefix}traced_per_cpu_s": trace_cpu,
            f"{prefix}explained_per_s": full_wall,
            f"{prefix}explained_per_cpu_s": full_cpu,
        }
        if args.json:
            continue
        print(
            f"rule set {rule_set.id} {rule_set.version}: {len(rule_set.rules)} rules, "
            f"{len(cases)} cases, median of {args.rounds} rounds"
        )
        print(
            f"  rules only:        {only_wall:9,.0f}/s  ({1e6 / only_wall:6.1f} µs)   "
            f"per CPU second {only_cpu:9,.0f}"
        )
        print(
            f"  with trace:        {trace_wall:9,.0f}/s  ({1e6 / trace_wall:6.1f} µs)   "
            f"per CPU second {trace_cpu:9,.0f}"
        )
        print(
            f"  with explanations: {full_wall:9,.0f}/s  ({1e6 / full_wall:6.1f} µs)   "
            f"per CPU second {full_cpu:9,.0f}"
        )
    if args.json:
        print(json.dumps(found))
    elif not can_skip:
        print("  (this version always renders explanations: both rows include them)")


if __name__ == "__main__":
    main()
