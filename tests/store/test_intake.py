"""Intake: a raw item is stored once with its case and `received` event, however often it comes."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading

from sqlalchemy import func, select

from runner.store import Store, open_store
from runner.store.engine import transaction
from runner.store.schema import cases, events, raw_items


def count_rows(store: Store) -> tuple[int, int, int]:
    with transaction(store.engine, write=False) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in (raw_items, cases, events)
        )


def test_a_raw_item_becomes_a_received_case(store: Store) -> None:
    content = '{"søker": "Kari"}'.encode()
    case_id, created = store.add_raw_item(
        robot_id="byggesak", source="folder", source_ref="kari.json", content=content
    )
    assert created
    case = store.get_case(case_id)
    assert (case.state, case.robot_id, case.version, case.attempts) == (
        "received",
        "byggesak",
        1,
        0,
    )
    assert (case.data, case.errors, case.reasons, case.urgent) == ({}, [], [], False)
    assert store.raw_content(case_id) == content
    raw = store.raw_item(case_id)
    assert (raw.source, raw.source_ref, raw.size) == ("folder", "kari.json", len(content))
    assert raw.content_hash == hashlib.sha256(content).hexdigest()
    [event] = store.events(case_id)
    assert (event.seq, event.kind, event.actor) == (1, "received", "robot:byggesak")
    assert event.data["to_state"] == "received" and event.data["source_ref"] == "kari.json"
    assert (case.event_seq, case.event_hash) == (1, event.hash)


def test_the_same_content_again_is_the_same_case(store: Store) -> None:
    first = store.add_raw_item(robot_id="r", source="folder", source_ref="a.json", content=b"{}")
    again = store.add_raw_item(robot_id="r", source="imap", source_ref="b.eml", content=b"{}")
    assert first == (first[0], True)
    assert again == (first[0], False)
    assert count_rows(store) == (1, 1, 1)
    assert store.raw_item(first[0]).source_ref == "a.json"


def test_the_same_content_for_another_robot_is_another_case(store: Store) -> None:
    one, _ = store.add_raw_item(robot_id="a", source="folder", source_ref="x", content=b"{}")
    two, created = store.add_raw_item(robot_id="b", source="folder", source_ref="x", content=b"{}")
    assert created and one != two


def test_threads_with_their_own_stores_insert_the_same_items_once(store_url: str) -> None:
    items = [f'{{"n": {n}}}'.encode() for n in range(20)]
    results: list[list[tuple[int, bool]]] = []
    barrier = threading.Barrier(4)

    def insert() -> None:
        with open_store(store_url, upgrade=False) as mine:
            barrier.wait()
            results.append(
                [
                    mine.add_raw_item(robot_id="r", source="s", source_ref="x", content=item)
                    for item in items
                ]
            )

    with open_store(store_url) as store:
        threads = [threading.Thread(target=insert) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(results) == 4
        for position in range(len(items)):
            outcomes = [result[position] for result in results]
            assert len({case_id for case_id, _ in outcomes}) == 1
            assert sum(created for _, created in outcomes) == 1
        assert count_rows(store) == (20, 20, 20)
        assert store.verify_audit() == []


INSERT_SCRIPT = """
import sys
from runner.store import open_store
with open_store(sys.argv[1], upgrade=False) as store:
    for n in range(30):
        store.add_raw_item(robot_id="r", source="s", source_ref="x", content=str(n).encode())
"""


def test_two_processes_insert_the_same_items_once(store_url: str) -> None:
    with open_store(store_url) as store:
        processes = [
            subprocess.Popen([sys.executable, "-c", INSERT_SCRIPT, store_url]) for _ in range(2)
        ]
        assert [process.wait(timeout=60) for process in processes] == [0, 0]
        assert count_rows(store) == (30, 30, 30)
        assert store.verify_audit() == []
