"""A unit of work: one step's store calls commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from runner.errors import IllegalTransitionError
from runner.models.results import Evaluation
from runner.store import CaseState, Store, open_store
from runner.store.engine import HELD

S = CaseState


def test_writes_in_a_unit_commit_together(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    with store.unit():
        store.transition(case_id, S.validated, actor="robot", event="validated")
        assert store.get_case(case_id).state == S.validated  # reads see the unit's writes
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
    assert store.get_case(case_id).state == S.evaluated
    assert [event.kind for event in store.events(case_id)][-2:] == ["validated", "evaluated"]


def test_a_failure_in_a_unit_undoes_all_of_it(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    events_before = len(store.events(case_id))
    with pytest.raises(RuntimeError, match="midt i steget"), store.unit():
        store.transition(case_id, S.validated, actor="robot", event="validated")
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
        raise RuntimeError("midt i steget")
    assert store.get_case(case_id).state == S.received
    assert len(store.events(case_id)) == events_before
    store.transition(case_id, S.validated, actor="robot", event="validated")  # usable after
    assert store.get_case(case_id).state == S.validated


def test_a_nested_unit_joins_the_outer_one(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    with pytest.raises(RuntimeError), store.unit():
        with store.unit():
            store.transition(case_id, S.validated, actor="robot", event="validated")
        raise RuntimeError("the outer unit fails after the inner one ended")
    assert store.get_case(case_id).state == S.received


def _head_reads(store: Store) -> list[str]:
    """Every read of a case's head (the lock) from now on, as sent to the database."""
    reads: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT cases.state, cases.version, cases.event_seq"):
            reads.append(statement)

    return reads


def test_a_unit_locks_a_case_once_and_the_next_unit_again(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    case_id, save = make_case(S.validated), store.save_decision
    reads = _head_reads(store)
    with store.unit():
        save(case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None)
        store.record_event(case_id, actor="kari", kind="viewed")
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
        save(case_id, evaluation, inputs_hash="y", template_id=None, template_hash=None)
    assert len(reads) == 1  # the unit's transaction holds the row after its first lock
    with store.unit():
        store.transition(case_id, S.pending_review, actor="robot", event="drafted")
    assert len(reads) == 2  # a new unit is a new transaction: it locks again
    if store.engine.dialect.name == "postgresql":
        assert all("FOR UPDATE" in statement for statement in reads)
    store.transition(case_id, S.approved, actor="kari", event="approved")
    store.transition(case_id, S.finalised, actor="robot", event="finalised")
    assert len(reads) == 4  # outside a unit each call is its own transaction
    trail = store.events(case_id)
    assert [e.seq for e in trail] == list(range(1, len(trail) + 1))
    kinds = [e.kind for e in trail][-5:]
    assert kinds == ["viewed", "evaluated", "drafted", "approved", "finalised"]
    assert store.verify_audit() == []


def test_a_refused_transition_in_a_unit_leaves_the_head_right(
    store: Store, make_case: Callable[..., int], evaluation: Evaluation
) -> None:
    case_id, save = make_case(S.validated), store.save_decision
    with store.unit():
        save(case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None)
        with pytest.raises(IllegalTransitionError):
            store.transition(case_id, S.sent, actor="robot", event="sent")
        with pytest.raises(IllegalTransitionError, match="changed since read"):
            store.transition(
                case_id, S.evaluated, actor="robot", event="evaluated", expected_version=99
            )
        store.record_event(case_id, actor="kari", kind="viewed")
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
    record = store.get_case(case_id)
    assert (record.state, record.event_seq) == (S.evaluated, len(store.events(case_id)))
    assert store.verify_audit() == []


def test_held_rows_are_forgotten_when_the_transaction_ends(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    with store.unit():
        store.transition(case_id, S.validated, actor="robot", event="validated")
    with pytest.raises(RuntimeError), store.unit():
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
        raise RuntimeError("rolled back: the held head (evaluated) must not outlive it")
    with store.unit():
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
    with store.engine.connect() as conn:  # the pooled connection the units used
        assert HELD not in conn.info
    assert store.get_case(case_id).state == S.evaluated
    assert store.verify_audit() == []


@pytest.mark.postgres
def test_a_unit_holds_the_row_lock_on_postgresql(
    postgres_url: str, evaluation: Evaluation
) -> None:
    """The first lock in a unit is taken on the database; skipping repeats keeps it held."""
    with open_store(postgres_url) as store:
        case_id, _ = store.add_raw_item(
            robot_id="byggesak", source="folder", source_ref="sak.json", content=b'{"n": 1}'
        )
        store.transition(case_id, S.validated, actor="robot", event="validated")
        nowait = text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT")
        with store.unit():
            store.save_decision(
                case_id, evaluation, inputs_hash="x", template_id=None, template_hash=None
            )
            for then in (
                lambda: store.transition(case_id, S.evaluated, actor="robot", event="evaluated"),
                lambda: store.record_event(case_id, actor="kari", kind="viewed"),
            ):
                with store.engine.connect() as other, pytest.raises(OperationalError):
                    other.execute(nowait, {"id": case_id})
                then()
        with store.engine.connect() as other:  # the unit ended: the row is free again
            assert other.execute(nowait, {"id": case_id}).scalar() == case_id


def test_reading_the_raw_item_with_lock_holds_the_case(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(content=b'{"sak": 1}')
    reads = _head_reads(store)
    with store.unit():
        raw, content = store.raw_item_and_content(case_id, lock=True)
        store.transition(case_id, S.validated, actor="robot", event="validated")
    assert (raw.source_ref, content, reads) == ("sak.json", b'{"sak": 1}', [])
    assert store.raw_item_and_content(case_id) == (store.raw_item(case_id), content)
    with store.unit():
        store.raw_item_and_content(case_id)  # without lock=True: nothing held
        store.transition(case_id, S.evaluated, actor="robot", event="evaluated")
    assert len(reads) == 1
    assert store.verify_audit() == []


@pytest.mark.postgres
def test_reading_the_raw_item_with_lock_locks_the_row_on_postgresql(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        case_id, _ = store.add_raw_item(
            robot_id="byggesak", source="folder", source_ref="sak.json", content=b'{"n": 1}'
        )
        nowait = text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT")
        with store.unit():
            store.raw_item_and_content(case_id, lock=True)
            with store.engine.connect() as other, pytest.raises(OperationalError):
                other.execute(nowait, {"id": case_id})
            store.transition(case_id, S.validated, actor="robot", event="validated")
        assert store.get_case(case_id).event_seq == 2 and store.verify_audit() == []
