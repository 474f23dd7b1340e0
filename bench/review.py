"""Benchmark: review page timings (queue, case page) with 100,000 cases in a SQLite store.

Usage: .venv/bin/python bench/review.py [--cases 100000] [--requests 200]
The robot runs the demo cases once for realistic rows (case facts, decision, letter); those
are copied, varied, into the real schema with SQLAlchemy Core bulk inserts: every case has a
raw item and its `received` event, 35 % wait for review, 45 % are sent (decision, letter,
outbox row), the rest are quarantined, rejected or parked; 70 % belong to kommune 4627.
Then p50/p95 of the queue and the case page over N requests each with TestClient.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from runner.logs import configure_logging  # noqa: E402
from runner.models.robot import load_robots  # noqa: E402
from runner.run import run_robot  # noqa: E402
from runner.store import CaseState, Store, open_store  # noqa: E402
from runner.store.audit import GENESIS, new_event  # noqa: E402
from runner.store.engine import transaction  # noqa: E402
from runner.store.schema import cases, decisions, events, letters, outbox, raw_items, utcnow  # noqa: E402
from runner.web.accounts import create_user  # noqa: E402
from runner.web.app import create_app  # noqa: E402
from tests.web.conftest import DEMO_INBOX, PASSWORD, login, review_settings  # noqa: E402

BATCH = 5000


def templates(store: Store) -> list[dict[str, Any]]:
    """The demo cases as the robot left them: case row, decision row, letter row."""
    found = []
    for record in store.list_cases(state=CaseState.pending_review, limit=1000):
        decision = store.latest_decision(record.id)
        letter = store.latest_letter(record.id)
        if letter is None:  # no outcome yet (til_vurdering): the caseworker chooses it
            continue
        assert decision is not None
        found.append(
            {"case": asdict(record), "decision": asdict(decision), "letter": asdict(letter)}
        )
    return found


def fill(store: Store, count: int, seed: int = 7) -> None:
    """Bulk insert `count` cases built from the demo templates."""
    rng = random.Random(seed)
    pool = templates(store)
    now = utcnow()
    with transaction(store.engine, write=True) as conn:
        start = (
            int(
                conn.execute(
                    cases.select()
                    .with_only_columns(cases.c.id)
                    .order_by(cases.c.id.desc())
                    .limit(1)
                ).scalar()
                or 0
            )
            + 1
        )
        decision_id = (
            int(
                conn.execute(
                    decisions.select()
                    .with_only_columns(decisions.c.id)
                    .order_by(decisions.c.id.desc())
                    .limit(1)
                ).scalar()
            )
            + 1
        )
        letter_id = (
            int(
                conn.execute(
                    letters.select()
                    .with_only_columns(letters.c.id)
                    .order_by(letters.c.id.desc())
                    .limit(1)
                ).scalar()
            )
            + 1
        )
        rows: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("raw", "case", "event", "decision", "letter", "outbox")
        }
        for n in range(count):
            case_id = start + n
            template = pool[n % len(pool)]
            base = template["case"]
            roll = rng.random()
            state = (
                "pending_review"
                if roll < 0.35
                else "sent"
                if roll < 0.80
                else "quarantined"
                if roll < 0.88
                else "rejected"
                if roll < 0.97
                else "parked"
            )
            created = now - timedelta(days=rng.uniform(0, 120))
            kommune = "4627" if rng.random() < 0.7 else "0301"
            urgent = rng.random() < 0.2
            reference = f"BENCH-{case_id:07d}"
            data = {**base["data"], "reference": reference, "kommunenummer": kommune}
            content = f'{{"bench": {case_id}}}'.encode()
            rows["raw"].append(
                {
                    "id": case_id,
                    "robot_id": base["robot_id"],
                    "source": "folder",
                    "source_ref": f"{reference}.json",
                    "content": content,
                    "content_hash": f"{case_id:064x}",
                    "size": len(content),
                    "received_at": created,
                }
            )
            event = new_event(
                case_id,
                seq=1,
                prev_hash=GENESIS,
                at=created,
                actor="robot",
                kind="received",
                data={"to_state": "received"},
            )
            rows["event"].append(event)
            decided = state in ("pending_review", "sent", "rejected")
            rows["case"].append(
                {
                    "id": case_id,
                    "raw_item_id": case_id,
                    "robot_id": base["robot_id"],
                    "case_type": None if state == "quarantined" else "byggesak",
                    "reference": None if state == "quarantined" else reference,
                    "kommunenummer": None if state == "quarantined" else kommune,
                    "state": state,
                    "outcome": base["outcome"] if decided else None,
                    "route": base["route"] if decided else None,
                    "reasons": base["reasons"] if decided else [],
                    "urgent": urgent,
                    "deadline": (created + timedelta(weeks=3 if urgent else 12)).date(),
                    "data": {} if state == "quarantined" else data,
                    "errors": [
                        {
                            "field": "measure.built_area_m2",
                            "reason": "må være et tall",
                            "fix": "rett feltet",
                        }
                    ]
                    if state == "quarantined"
                    else [],
                    "attempts": 0,
                    "last_error": None,
                    "lease_owner": None,
                    "lease_expires_at": None,
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                    "event_seq": 1,
                    "event_hash": event["hash"],
                }
            )
            if decided:
                decision = {
                    **template["decision"],
                    "id": decision_id,
                    "case_id": case_id,
                    "created_at": created,
                }
                rows["decision"].append(decision)
                letter = {
                    **template["letter"],
                    "id": letter_id,
                    "case_id": case_id,
                    "decision_id": decision_id,
                    "created_at": created,
                }
                rows["letter"].append(letter)
                if state == "sent":
                    rows["outbox"].append(
                        {
                            "case_id": case_id,
                            "letter_id": letter_id,
                            "key": f"bench-{case_id}-v1",
                            "channel": "folder",
                            "target": "",
                            "state": "sent",
                            "attempts": 1,
                            "last_error": None,
                            "created_at": created,
                            "updated_at": created,
                            "sent_at": created,
                        }
                    )
                decision_id += 1
                letter_id += 1
            if len(rows["case"]) >= BATCH or n == count - 1:
                for name, table in (
                    ("raw", raw_items),
                    ("case", cases),
                    ("event", events),
                    ("decision", decisions),
                    ("letter", letters),
                    ("outbox", outbox),
                ):
                    if rows[name]:
                        conn.execute(insert(table), rows[name])
                    rows[name] = []
        conn.exec_driver_sql("ANALYZE")


def timings(client: TestClient, paths: list[str]) -> tuple[float, float]:
    spent = []
    for path in paths:
        started = time.perf_counter()
        response = client.get(path)
        spent.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    spent.sort()
    return statistics.median(spent), spent[int(len(spent) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    configure_logging("warning", "console")
    with tempfile.TemporaryDirectory() as folder:
        settings = review_settings(Path(folder) / "data")
        robot = load_robots(settings.content_dir / "robots")["byggesak-smatiltak"]
        with open_store(settings.database_url) as store:
            run_robot(settings, store, robot, inbox=DEMO_INBOX)
            started = time.perf_counter()
            fill(store, args.cases)
            print(f"filled {args.cases} cases in {time.perf_counter() - started:.1f} s")
            create_user(
                store,
                username="bench",
                full_name="Bench",
                role="lead",
                kommuner=["4627"],
                password=PASSWORD,
            )
            waiting = [
                c.id
                for c in store.list_cases(state="pending_review", kommunenummer="4627", limit=5000)
            ]
            print(
                f"store: {sum(store.count_by_state().values())} cases, "
                f"{len(waiting)}+ waiting in 4627"
            )
            app = create_app(settings, store)
            with TestClient(app, follow_redirects=False) as client:
                login(client, "bench")
                rng = random.Random(1)
                filters = [
                    "",
                    "&grunn=unntatt_soknadsplikt",
                    "&robot=byggesak-smatiltak",
                    "&alder=30",
                    "&kommune=4627",
                ]
                queue_paths = [
                    f"/saker?side={rng.randint(1, 20)}{rng.choice(filters)}"
                    for _ in range(args.requests)
                ]
                case_paths = [f"/saker/{rng.choice(waiting)}" for _ in range(args.requests)]
                timings(client, queue_paths[:10] + case_paths[:10])  # warm up
                q50, q95 = timings(client, queue_paths)
                c50, c95 = timings(client, case_paths)
    print(f"queue page: p50 {q50:.1f} ms, p95 {q95:.1f} ms over {args.requests} requests")
    print(f"case page:  p50 {c50:.1f} ms, p95 {c95:.1f} ms over {args.requests} requests")


if __name__ == "__main__":
    main()
