"""Queries: finding a case by id or reference, the review queue, counts and resumable work."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runner.errors import NotFoundError, StoreError
from runner.store import CaseState, Store

S = CaseState


def test_find_case_by_id_or_reference(store: Store, make_case: Callable[..., int]) -> None:
    case_id = make_case()
    store.transition(case_id, S.validated, actor="r", event="v", reference="BS-2026-000001")
    assert store.find_case(str(case_id)).id == case_id
    assert store.find_case(" BS-2026-000001 ").id == case_id
    assert store.get_case(case_id) == store.find_case("BS-2026-000001")


def test_a_numeric_reference_is_found_when_no_case_has_that_id(
    store: Store, make_case: Callable[..., int]
) -> None:
    case_id = make_case()
    store.transition(case_id, S.validated, actor="r", event="v", reference="2026001")
    assert store.find_case("2026001").id == case_id


def test_unknown_and_ambiguous_references(store: Store, make_case: Callable[..., int]) -> None:
    with pytest.raises(NotFoundError, match="No case has id or reference 'BS-1'") as raised:
        store.find_case("BS-1")
    assert raised.value.fix is not None and "reference" in raised.value.fix
    with pytest.raises(NotFoundError, match="Case 77 does not exist"):
        store.get_case(77)
    for _ in range(2):
        store.transition(make_case(), S.validated, actor="r", event="v", reference="DUP")
    with pytest.raises(StoreError, match="More than one case has reference 'DUP'"):
        store.find_case("DUP")


def test_list_cases_filters_orders_and_pages(store: Store, make_case: Callable[..., int]) -> None:
    ids = []
    for n, (kommune, deadline) in enumerate(
        [("4601", "2026-05-01"), ("0301", "2026-04-01"), ("4601", None), ("4601", "2026-03-01")]
    ):
        case_id = make_case(robot_id="byggesak" if n < 3 else "sosialhjelp")
        store.transition(
            case_id, S.validated, actor="r", event="v", kommunenummer=kommune, deadline=deadline
        )
        ids.append(case_id)
    make_case()  # still received
    assert [c.id for c in store.list_cases(state=S.validated)] == ids
    assert [c.id for c in store.list_cases(state="validated", order="-id")] == ids[::-1]
    assert [c.id for c in store.list_cases(state=S.validated, order="deadline")] == [
        ids[3],
        ids[1],
        ids[0],
        ids[2],
    ]
    assert [c.id for c in store.list_cases(kommunenummer="4601", robot_id="byggesak")] == [
        ids[0],
        ids[2],
    ]
    assert [c.id for c in store.list_cases(state=S.validated, limit=2, offset=1)] == ids[1:3]
    assert len(store.list_cases(order="-updated_at")) == 5
    with pytest.raises(StoreError, match="Cannot order cases by 'name'"):
        store.list_cases(order="name")
    with pytest.raises(StoreError, match="no case state 'done'"):
        store.list_cases(state="done")


def test_count_by_state(store: Store, make_case: Callable[..., int]) -> None:
    make_case()
    make_case(S.validated)
    make_case(S.validated)
    make_case(S.quarantined, robot_id="sosialhjelp")
    assert store.count_by_state() == {
        ("byggesak", "received"): 1,
        ("byggesak", "validated"): 2,
        ("sosialhjelp", "quarantined"): 1,
    }
    assert store.count_by_state("sosialhjelp") == {("sosialhjelp", "quarantined"): 1}


def test_cases_to_resume_are_those_with_interrupted_work(
    store: Store, make_case: Callable[..., int]
) -> None:
    resumable = [
        make_case(),
        make_case(S.validated),
        make_case(S.validated, S.evaluated),
        make_case(S.validated, S.evaluated, S.approved),
        make_case(S.validated, S.evaluated, S.approved, S.finalised),
    ]
    make_case(S.quarantined)
    make_case(S.parked)
    make_case(S.validated, S.evaluated, S.pending_review)
    make_case(S.validated, S.evaluated, S.approved, S.finalised, S.sent)
    make_case(robot_id="sosialhjelp")
    assert store.cases_to_resume("byggesak") == resumable
