"""The audit trail: events are hash-chained per case, and verify_audit finds tampering."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text

from runner.errors import NotFoundError, StoreError
from runner.store import CaseState, Store, open_store
from runner.store.audit import GENESIS, event_hash
from runner.store.engine import transaction


def execute(store: Store, statement: str, **params: object) -> None:
    """Change the database behind the store's back, as someone with file access could."""
    with transaction(store.engine, write=True) as conn:
        conn.execute(text(statement), params)


def test_each_event_carries_the_hash_of_the_one_before(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    store.record_event(case_id, actor="kari", kind="viewed", data={"page": "sak"})
    trail = store.events(case_id)
    assert [event.seq for event in trail] == list(range(1, len(happy_path) + 3))
    prev_hash = GENESIS
    for event in trail:
        assert event.prev_hash == prev_hash
        assert event.hash == event_hash(
            event.prev_hash, case_id, event.seq, event.at, event.actor, event.kind, event.data
        )
        prev_hash = event.hash
    assert store.get_case(case_id).event_hash == trail[-1].hash
    assert store.verify_audit() == []


def test_record_event_changes_no_state(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case(CaseState.validated)
    before = store.get_case(case_id)
    event = store.record_event(
        case_id, actor="kari", kind="letter_edited", data={"note": "Rettet adresse", "n": 1.5}
    )
    assert (event.seq, event.kind, event.data) == (
        3,
        "letter_edited",
        {"note": "Rettet adresse", "n": 1.5},
    )
    after = store.get_case(case_id)
    assert (after.state, after.version, after.updated_at) == (
        before.state,
        before.version,
        before.updated_at,
    )
    assert store.events(case_id)[-1] == event


def test_record_event_refuses_state_keys_and_unknown_cases(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    with pytest.raises(StoreError, match="to_state"):
        store.record_event(case_id, actor="x", kind="note", data={"to_state": "sent"})
    with pytest.raises(NotFoundError):
        store.record_event(12345, actor="x", kind="note")


def test_an_edited_event_is_found(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    make_case(CaseState.validated)  # an untouched case stays clean
    execute(
        store,
        "UPDATE events SET data = :data WHERE case_id = :case_id AND seq = 3",
        data='{"from_state": "validated", "to_state": "evaluated", "outcome": "innvilget"}',
        case_id=case_id,
    )
    assert store.verify_audit() == [f"case {case_id} seq 3: event changed (hash mismatch)"]


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    event = store.events(case_id)[2]
    forged = event_hash(event.prev_hash, case_id, 3, event.at, "mallory", event.kind, event.data)
    execute(
        store,
        "UPDATE events SET actor = 'mallory', hash = :hash WHERE id = :id",
        hash=forged,
        id=event.id,
    )
    assert store.verify_audit() == [
        f"case {case_id} seq 4: the event before was changed or removed (prev_hash mismatch)"
    ]


def test_a_deleted_event_is_found(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    execute(store, "DELETE FROM events WHERE case_id = :case_id AND seq = 4", case_id=case_id)
    assert store.verify_audit() == [f"case {case_id} seq 4–4: events removed (seq gap)"]


def test_deleted_newest_events_are_found(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    store.record_event(case_id, actor="kari", kind="viewed", data={})
    execute(store, "DELETE FROM events WHERE case_id = :case_id AND seq >= 7", case_id=case_id)
    assert store.verify_audit() == [
        f"case {case_id} seq 7–8: newest events removed (the case's head is seq 8)",
        f"case {case_id} seq 6: state edited (case is 'sent', its trail ends in 'finalised')",
    ]


def test_an_edited_state_is_found(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case(CaseState.validated)
    execute(store, "UPDATE cases SET state = 'approved' WHERE id = :id", id=case_id)
    assert store.verify_audit() == [
        f"case {case_id} seq 2: state edited (case is 'approved', its trail ends in 'validated')"
    ]


def test_tampering_straight_in_the_sqlite_file_is_found(tmp_path: Path) -> None:
    path = tmp_path / "saksrobot.db"
    with open_store(f"sqlite:///{path}") as store:
        case_id, _ = store.add_raw_item(robot_id="r", source="s", source_ref="a", content=b"{}")
        store.transition(case_id, CaseState.validated, actor="robot", event="validated")
        store.transition(case_id, CaseState.evaluated, actor="robot", event="evaluated")
    with closing(sqlite3.connect(path)) as db, db:
        db.execute('UPDATE events SET data = \'{"to_state": "validated"}\' WHERE seq = 2')
        db.execute("DELETE FROM events WHERE seq = 1")
    with open_store(f"sqlite:///{path}") as store:
        assert store.verify_audit() == [
            f"case {case_id} seq 1–1: events removed (seq gap)",
            f"case {case_id} seq 2: event changed (hash mismatch)",
        ]


def test_a_case_without_any_events_is_found(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    execute(store, "DELETE FROM events WHERE case_id = :case_id", case_id=case_id)
    assert store.verify_audit() == [f"case {case_id}: has no events (its audit trail was removed)"]
