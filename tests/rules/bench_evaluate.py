"""Benchmark: µs per evaluation of the byggesak rule set over its own test cases.

Usage: .venv/bin/python -m tests.rules.bench_evaluate [--rounds 20]
Prints numbers; asserts nothing (not collected by pytest).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from pydantic import BaseModel

from runner.models.registry import case_model
from runner.rules import evaluate, load_rule_set
from runner.ruletools.testing import deep_merge
from runner.settings import CONTENT_ROOT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="passes over all test cases")
    args = parser.parse_args()
    rule_set = load_rule_set(CONTENT_ROOT / "rules" / "byggesak-smatiltak")
    model = case_model(rule_set.case_type)
    cases: list[tuple[BaseModel, date | None]] = []
    for file in rule_set.tests:
        for test in file.spec.tests:
            case = model.model_validate(deep_merge(file.spec.base, test.patch))
            cases.append((case, test.on))
    for case, on in cases:  # warm up the parameter cache
        evaluate(rule_set, case, on=on)
    best = float("inf")
    for _ in range(args.rounds):
        started = time.perf_counter()
        for case, on in cases:
            evaluate(rule_set, case, on=on)
        best = min(best, (time.perf_counter() - started) / len(cases))
    rules = len(rule_set.rules)
    print(f"rule set {rule_set.id} {rule_set.version}: {rules} rules, {len(cases)} cases")
    print(f"best of {args.rounds} rounds: {best * 1e6:.1f} µs per evaluation, {1 / best:,.0f}/s")


if __name__ == "__main__":
    main()
