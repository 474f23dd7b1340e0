"""Transitions: state, columns and event change together, and a stale writer is refused."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from runner.errors import FieldProblem, IllegalTransitionError, NotFoundError, StoreError
from runner.models.results import Route
from runner.store import CaseState, Store, open_store
from runner.store.states import TRANSITIONS

S = CaseState

#: For each state, a path from `received` that reaches it.
PATH_TO = {
    S.received: (),
    S.quarantined: (S.quarantined,),
    S.validated: (S.validated,),
    S.evaluated: (S.validated, S.evaluated),
    S.pending_review: (S.validated, S.evaluated, S.pending_review),
    S.approved: (S.validated, S.evaluated, S.approved),
    S.finalised: (S.validated, S.evaluated, S.approved, S.finalised),
    S.sent: (S.validated, S.evaluated, S.approved, S.finalised, S.sent),
    S.parked: (S.parked,),
    S.rejected: (S.validated, S.evaluated, S.pending_review, S.rejected),
    S.returned: (S.validated, S.evaluated, S.pending_review, S.returned),
}


def test_every_legal_transition_works_in_the_store(
    store: Store, make_case: Callable[..., int]
) -> None:
    for current, targets in TRANSITIONS.items():
        for target in targets:
            case_id = make_case(*PATH_TO[current])
            record = store.transition(case_id, target, actor="robot", event="moved")
            assert record.state == target
            assert store.get_case(case_id).state == target


def test_illegal_transitions_change_nothing(store: Store, make_case: Callable[..., int]) -> None:
    for current in CaseState:
        case_id = make_case(*PATH_TO[current])
        before = store.get_case(case_id)
        for target in set(CaseState) - TRANSITIONS.get(current, frozenset()):
            with pytest.raises(IllegalTransitionError):
                store.transition(case_id, target, actor="robot", event="moved")
        assert store.get_case(case_id) == before
        assert len(store.events(case_id)) == len(PATH_TO[current]) + 1


def test_a_transition_sets_columns_and_appends_its_event(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    record = store.transition(
        case_id,
        "validated",
        actor="robot",
        event="validated",
        data={"case_type": "byggesak"},
        reference="BS-2026-000001",
        kommunenummer="4601",
        case_type="byggesak",
        case_data={"applicant": {"name": "Kari"}, "area": 30.5},
        deadline="2026-04-01",
        errors=[],
    )
    assert (record.state, record.version, record.event_seq) == ("validated", 2, 2)
    assert record.reference == "BS-2026-000001" and record.kommunenummer == "4601"
    assert record.data == {"applicant": {"name": "Kari"}, "area": 30.5}
    assert record.deadline == date(2026, 4, 1)
    assert record.updated_at > record.created_at
    assert store.get_case(case_id) == record
    event = store.events(case_id)[-1]
    assert (event.seq, event.kind, event.actor) == (2, "validated", "robot")
    assert event.data == {
        "case_type": "byggesak",
        "from_state": "received",
        "to_state": "validated",
    }
    assert event.at == record.updated_at and event.hash == record.event_hash

    record = store.transition(
        case_id,
        S.evaluated,
        actor="robot",
        event="evaluated",
        outcome="avslag",
        route=Route.review,
        reasons=("bya", "hoyde"),
        urgent=True,
    )
    assert (record.outcome, record.route, record.reasons, record.urgent) == (
        "avslag",
        "review",
        ["bya", "hoyde"],
        True,
    )
    assert record.data == {"applicant": {"name": "Kari"}, "area": 30.5}  # untouched


def test_quarantine_stores_every_problem_and_parking_counts_attempts(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    problems = [FieldProblem("measure.height_m", "mangler", "oppgi høyden")]
    record = store.transition(
        case_id, S.quarantined, actor="robot", event="quarantined", errors=problems
    )
    assert record.errors == [
        {"field": "measure.height_m", "reason": "mangler", "fix": "oppgi høyden"}
    ]
    store.transition(case_id, S.received, actor="kari", event="retried", errors=[])
    record = store.transition(
        case_id, S.parked, actor="robot", event="parked", attempts=3, last_error="SMTP nede"
    )
    assert (record.attempts, record.last_error, record.errors) == (3, "SMTP nede", [])


def test_unknown_columns_and_cases_are_refused(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    with pytest.raises(StoreError, match="cannot set lease_owner, state") as raised:
        store.transition(case_id, S.validated, actor="r", event="v", state="sent", lease_owner="x")
    assert raised.value.fix is not None and "case_data" in raised.value.fix
    with pytest.raises(StoreError, match="deadline '2026-13-01' is not a date"):
        store.transition(case_id, S.validated, actor="r", event="v", deadline="2026-13-01")
    with pytest.raises(NotFoundError, match="Case 999 does not exist"):
        store.transition(999, S.validated, actor="r", event="v")


def test_a_stale_version_is_refused(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case(S.validated, S.evaluated, S.pending_review)
    seen = store.get_case(case_id)
    store.transition(case_id, S.pending_review, actor="ola", event="reassigned")
    with pytest.raises(IllegalTransitionError, match="changed since read"):
        store.transition(
            case_id, S.approved, actor="kari", event="approved", expected_version=seen.version
        )
    fresh = store.get_case(case_id)
    approved = store.transition(
        case_id, S.approved, actor="kari", event="approved", expected_version=fresh.version
    )
    assert approved.version == fresh.version + 1


def test_two_stores_on_one_database_cannot_both_move_a_case(
    store_url: str, store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    with open_store(store_url) as other:
        other.transition(case_id, S.validated, actor="worker-2", event="validated")
        with pytest.raises(IllegalTransitionError, match="from 'validated' to 'validated'"):
            store.transition(case_id, S.validated, actor="worker-1", event="validated")
    assert [event.actor for event in store.events(case_id)] == ["robot:byggesak", "worker-2"]


def test_racing_workers_move_a_case_exactly_once(
    store_url: str, store: Store, make_case: Callable[..., int]
) -> None:
    case_ids = [make_case() for _ in range(10)]
    wins: list[tuple[int, str]] = []
    refused: list[int] = []
    barrier = threading.Barrier(4)

    def work(worker: str) -> None:
        with open_store(store_url, upgrade=False) as mine:
            barrier.wait()
            for case_id in case_ids:
                try:
                    mine.transition(case_id, S.validated, actor=worker, event="validated")
                    wins.append((case_id, worker))
                except IllegalTransitionError:
                    refused.append(case_id)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(case_id for case_id, _ in wins) == case_ids
    assert len(refused) == 30
    for case_id, worker in wins:
        assert [event.actor for event in store.events(case_id)][1:] == [worker]
    assert store.verify_audit() == []


def test_the_happy_path_leaves_one_event_per_step(
    happy_path: tuple[CaseState, ...], store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case(*happy_path)
    trail = [
        (event.data["from_state"], event.data["to_state"]) for event in store.events(case_id)[1:]
    ]
    assert trail == list(zip(("received", *happy_path[:-1]), happy_path, strict=True))
    assert store.get_case(case_id).version == len(happy_path) + 1
