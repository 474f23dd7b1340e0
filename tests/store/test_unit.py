"""A unit of work: one step's store calls commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from runner.store import CaseState, Store

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
