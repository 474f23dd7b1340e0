"""The case store: cases, their audit trail, decisions, letters and the outbox."""

from runner.store.records import (
    CaseRecord,
    DecisionRecord,
    EventRecord,
    LetterRecord,
    OutboxRecord,
    RawItemRecord,
)
from runner.store.states import CaseState, check_transition
from runner.store.store import Store, open_store

__all__ = [
    "CaseRecord",
    "CaseState",
    "DecisionRecord",
    "EventRecord",
    "LetterRecord",
    "OutboxRecord",
    "RawItemRecord",
    "Store",
    "check_transition",
    "open_store",
]
