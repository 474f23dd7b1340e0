"""The state machine: every legal move is allowed, every other move raises."""

from __future__ import annotations

import pytest

from runner.errors import IllegalTransitionError
from runner.store.states import (
    RESUMABLE,
    TERMINAL,
    TRANSITIONS,
    CaseState,
    check_transition,
    next_states,
)

S = CaseState

LEGAL = {
    (S.received, S.validated),
    (S.received, S.quarantined),
    (S.received, S.parked),
    (S.quarantined, S.received),
    (S.validated, S.evaluated),
    (S.validated, S.parked),
    (S.evaluated, S.pending_review),
    (S.evaluated, S.approved),
    (S.evaluated, S.parked),
    (S.pending_review, S.approved),
    (S.pending_review, S.rejected),
    (S.pending_review, S.returned),
    (S.pending_review, S.pending_review),
    (S.approved, S.finalised),
    (S.approved, S.parked),
    (S.finalised, S.sent),
    (S.finalised, S.parked),
    (S.sent, S.parked),  # the archive refused the decision's record
    (S.parked, S.sent),
    (S.parked, S.received),
    (S.parked, S.validated),
    (S.parked, S.evaluated),
    (S.parked, S.approved),
    (S.parked, S.finalised),
    (S.returned, S.received),
}
ALL_PAIRS = [(current, target) for current in CaseState for target in CaseState]


def test_the_map_is_exactly_the_agreed_one() -> None:
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == LEGAL
    assert {S.sent, S.rejected} == TERMINAL
    assert set(RESUMABLE) == {S.received, S.validated, S.evaluated, S.approved, S.finalised}


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_legal_transition_is_allowed(current: CaseState, target: CaseState) -> None:
    assert check_transition(7, current, target.value) is target
    assert target in next_states(current.value)


@pytest.mark.parametrize(("current", "target"), [pair for pair in ALL_PAIRS if pair not in LEGAL])
def test_illegal_transition_raises(current: CaseState, target: CaseState) -> None:
    with pytest.raises(IllegalTransitionError) as raised:
        check_transition(7, current, target)
    assert raised.value.case_id == "7"
    assert f"from '{current}' to '{target}'" in str(raised.value)


def test_unknown_states_are_illegal() -> None:
    with pytest.raises(IllegalTransitionError, match="'archived'"):
        check_transition(1, S.received, "archived")
    with pytest.raises(IllegalTransitionError):
        check_transition(1, "archived", S.received)
    assert next_states("archived") == frozenset()
