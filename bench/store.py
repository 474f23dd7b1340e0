"""Benchmark: store inserts and transitions per second on a fresh SQLite file.

Usage: .venv/bin/python bench/store.py [--cases 2000] [--url sqlite:///…|postgresql+psycopg://…]
For each case: add_raw_item, then five transitions received → validated → evaluated →
approved → finalised → sent; then, separately, the other writes one case costs the pipeline
(decision, letter, PDF file, outbox) and the review-queue reads. Not a test: asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from runner.models.results import Decision, Evaluation, LegalBasis, Route, RuleResult  # noqa: E402
from runner.store import CaseState, Store, open_store  # noqa: E402

STEPS: list[tuple[CaseState, dict[str, Any]]] = [
    (
        CaseState.validated,
        {"reference": "BENCH", "kommunenummer": "4601", "case_type": "byggesak", "case_data": {}},
    ),
    (CaseState.evaluated, {"outcome": "innvilget", "route": "auto", "reasons": []}),
    (CaseState.approved, {}),
    (CaseState.finalised, {}),
    (CaseState.sent, {}),
]


def case_json(index: int) -> bytes:
    case = {
        "case_type": "byggesak",
        "reference": f"BENCH-{index:06d}",
        "kommunenummer": "4601",
        "applicant": {"name": "Kari Nordmann", "address": {"street": "Gate 1", "city": "Bergen"}},
        "measure": {"kind": "garasje", "built_area_m2": 30 + index % 40, "height_m": 3.5},
        "received": "2026-03-02",
    }
    return json.dumps(case).encode()


def evaluation() -> Evaluation:
    basis = [LegalBasis(ref="pbl. § 20-5", url="https://lovdata.no/lov/2008-06-27-71/§20-5")]
    results = [
        RuleResult(rule_id=f"rule_{n}", title={"nb": "Regel"}, outcome="oppfylt", legal_basis=basis)
        for n in range(8)
    ]
    return Evaluation(
        rule_set_id="byggesak-smatiltak",
        rule_set_version="1",
        rule_set_hash="0" * 64,
        decision_date="2026-03-02",
        parameters={"max_bya_m2": 50},
        results=results,
        decision=Decision(outcome="innvilget", route=Route.auto, reasons=[], matched="all_met"),
    )


def timed(label: str, count: int, action: Callable[[], None]) -> None:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {count:>6} in {seconds:6.2f} s = {count / seconds:8.0f}/s")


def run(store: Store, count: int) -> None:
    ids: list[int] = []

    def insert() -> None:
        for index in range(count):
            ids.append(
                store.add_raw_item(
                    robot_id="bench",
                    source="folder",
                    source_ref=f"{index}.json",
                    content=case_json(index),
                )[0]
            )

    def transitions() -> None:
        for case_id in ids:
            for target, fields in STEPS:
                if "case_data" in fields:  # the validated case, about 300 bytes of JSON
                    fields = {**fields, "case_data": json.loads(case_json(case_id))}
                store.transition(case_id, target, actor="robot", event=target.value, **fields)

    def documents() -> None:
        ev = evaluation()
        for case_id in ids:
            decision_id = store.save_decision(
                case_id, ev, inputs_hash="1" * 64, template_id=None, template_hash=None
            )
            letter = store.save_letter(
                case_id=case_id,
                decision_id=decision_id,
                malform="nb",
                markdown="# Vedtak\n" * 40,
                pdf_path=None,
                sha256=None,
                created_by="robot",
            )
            store.update_letter_file(letter.id, f"/tmp/{case_id}.pdf", "2" * 64)
            key = f"bench-{case_id}-v1"
            store.enqueue(
                case_id=case_id, letter_id=letter.id, key=key, channel="folder", target=""
            )
            store.mark_sending(key)
            store.mark_sent(key)

    def reads() -> None:
        for case_id in ids:
            store.get_case(case_id)
            store.raw_content(case_id)
            store.latest_letter(case_id)

    timed("add_raw_item (1 transaction each)", count, insert)
    timed("transition (5 per case)", count * 5, transitions)
    timed("decision+letter+file+outbox (6 per case)", count * 6, documents)
    timed("get_case+raw_content+latest_letter", count * 3, reads)
    queue = time.perf_counter()
    store.list_cases(state=CaseState.sent, order="deadline", limit=50)
    store.count_by_state()
    print(
        f"{'list_cases page + count_by_state':<44} {1000 * (time.perf_counter() - queue):6.1f} ms"
    )
    audit = time.perf_counter()
    problems = store.verify_audit()
    print(
        f"{'verify_audit':<44} {count * 6:>6} events in {time.perf_counter() - audit:.2f} s,"
        f" {len(problems)} problems"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--url", help="a store URL (default: a new SQLite file)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'bench.db'}"
        started = time.perf_counter()
        store = open_store(url)
        print(f"{'open_store + migrate':<44} {1000 * (time.perf_counter() - started):6.1f} ms")
        with store:
            started = time.perf_counter()
            run(store, args.cases)
            total = time.perf_counter() - started
        print(
            f"{'cases with every store call above':<44} {args.cases:>6} in {total:6.2f} s ="
            f" {args.cases / total:8.0f}/s"
        )


if __name__ == "__main__":
    main()
