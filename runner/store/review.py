"""Caseworkers' marks on cases: who has taken a case, which quarantined items are handled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, delete, insert, select

from runner.errors import IllegalTransitionError
from runner.store.cases import lock_case, record_event
from runner.store.records import EventRecord
from runner.store.schema import Id, UTCDateTime, cases, metadata, utcnow
from runner.store.states import CaseState

if TYPE_CHECKING:
    from runner.store.store import Store

assignments = Table(
    "assignments",
    metadata,
    Column("case_id", Id, ForeignKey("cases.id"), primary_key=True),
    Column("username", String(100), nullable=False, index=True),
    Column("assigned_by", String(100), nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
)

quarantine_handled = Table(
    "quarantine_handled",
    metadata,
    Column("case_id", Id, ForeignKey("cases.id"), primary_key=True),
    Column("handled_by", String(100), nullable=False),
    Column("handled_at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
)


#: The review queue reads only index entries: filter, sort keys and reasons (for counts and
#: the reason filter), so 100,000 cases cost no table reads (bench/review.py).
review_queue_index = Index(
    "ix_cases_review_queue",
    cases.c.state,
    cases.c.kommunenummer,
    cases.c.urgent,
    cases.c.deadline,
    cases.c.robot_id,
    cases.c.created_at,
    cases.c.reasons,
)


@dataclass(frozen=True, slots=True)
class Assignment:
    """Who works on a case, since when, given by whom."""

    case_id: int
    username: str
    assigned_by: str
    assigned_at: datetime


class ReviewStore:
    """Assignments and handled marks; each change also appends an event to the case."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def assignment(self, case_id: int) -> Assignment | None:
        """Who has the case, if anyone."""
        with self._store._read() as conn:
            row = conn.execute(select(assignments).where(assignments.c.case_id == case_id)).first()
        return Assignment(*row) if row is not None else None

    def assign(self, case_id: int, username: str | None, *, actor: str) -> EventRecord:
        """Give the case to `username` (None: hand it back to the queue), as one event."""
        with self._store._write() as conn:
            lock_case(conn, case_id)
            state = conn.execute(select(cases.c.state).where(cases.c.id == case_id)).scalar()
            if state != CaseState.pending_review:
                raise IllegalTransitionError(str(case_id), str(state), "assigned")
            before = conn.execute(
                select(assignments.c.username).where(assignments.c.case_id == case_id)
            ).scalar()
            conn.execute(delete(assignments).where(assignments.c.case_id == case_id))
            if username is not None:
                conn.execute(
                    insert(assignments).values(
                        case_id=case_id,
                        username=username,
                        assigned_by=actor,
                        assigned_at=utcnow(),
                    )
                )
            return record_event(
                conn,
                case_id,
                actor=actor,
                kind="assigned" if username is not None else "handed_back",
                data={"from": before, "to": username},
            )

    def mark_handled(self, case_id: int, *, actor: str, note: str) -> EventRecord:
        """Close a quarantined item: it leaves the quarantine list; the case keeps its state."""
        with self._store._write() as conn:
            lock_case(conn, case_id)
            state, updated_at = conn.execute(
                select(cases.c.state, cases.c.updated_at).where(cases.c.id == case_id)
            ).one()
            handled_at = conn.execute(
                select(quarantine_handled.c.handled_at).where(
                    quarantine_handled.c.case_id == case_id
                )
            ).scalar()
            # A mark older than the case's last change belongs to an earlier quarantine.
            if state != CaseState.quarantined or (handled_at and handled_at >= updated_at):
                raise IllegalTransitionError(str(case_id), str(state), "handled")
            conn.execute(delete(quarantine_handled).where(quarantine_handled.c.case_id == case_id))
            conn.execute(
                insert(quarantine_handled).values(
                    case_id=case_id, handled_by=actor, handled_at=utcnow(), note=note
                )
            )
            return record_event(
                conn, case_id, actor=actor, kind="quarantine_handled", data={"note": note}
            )
