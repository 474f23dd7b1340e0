"""The case state machine: every state a case can be in and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from runner.errors import IllegalTransitionError


class CaseState(StrEnum):
    """Where a case is in its life, from intake to a sent letter."""

    received = "received"
    quarantined = "quarantined"
    validated = "validated"
    evaluated = "evaluated"
    pending_review = "pending_review"
    approved = "approved"
    rejected = "rejected"
    returned = "returned"
    finalised = "finalised"
    sent = "sent"
    parked = "parked"


_S = CaseState

#: Every legal move. A state missing on the left has no way out (terminal).
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    _S.received: frozenset({_S.validated, _S.quarantined, _S.parked}),
    # A business error was fixed: the raw item is parsed again.
    _S.quarantined: frozenset({_S.received}),
    _S.validated: frozenset({_S.evaluated, _S.parked}),
    _S.evaluated: frozenset({_S.pending_review, _S.approved, _S.parked}),
    # pending_review → pending_review: reassigned, or the draft letter was edited.
    _S.pending_review: frozenset({_S.approved, _S.rejected, _S.returned, _S.pending_review}),
    _S.approved: frozenset({_S.finalised, _S.parked}),
    _S.finalised: frozenset({_S.sent, _S.parked}),
    # The archive (Fiks Arkiv) refused the sent decision's record: a human files it.
    _S.sent: frozenset({_S.parked}),
    # An application error outlasted its retries; a human sends the case back in.
    _S.parked: frozenset(
        {_S.received, _S.validated, _S.evaluated, _S.approved, _S.finalised, _S.sent}
    ),
    _S.returned: frozenset({_S.received}),
}

#: States with no way out.
#: (sent counts as one: only the archive's refusal takes a case out of it.)
TERMINAL: frozenset[CaseState] = frozenset(set(CaseState) - set(TRANSITIONS)) | {_S.sent}

#: States a robot picks up again after a restart (work was interrupted mid-way).
RESUMABLE: tuple[CaseState, ...] = (
    _S.received,
    _S.validated,
    _S.evaluated,
    _S.approved,
    _S.finalised,
)


def next_states(state: CaseState | str) -> frozenset[CaseState]:
    """The states a case in `state` may move to (empty for a terminal or unknown state)."""
    try:
        return TRANSITIONS.get(CaseState(state), frozenset())
    except ValueError:
        return frozenset()


def check_transition(
    case_id: int | str, current: CaseState | str, target: CaseState | str
) -> CaseState:
    """Return `target` as a CaseState, or raise IllegalTransitionError if the move is not legal."""
    try:
        wanted = CaseState(target)
    except ValueError:
        raise IllegalTransitionError(str(case_id), str(current), str(target)) from None
    if wanted not in next_states(current):
        raise IllegalTransitionError(str(case_id), str(current), wanted.value)
    return wanted
