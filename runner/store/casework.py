"""What a caseworker writes on a case: answers to its open points, and internal notes.

An answer is the caseworker's decision on one rule the robot could not settle (confirmed or
overridden, with a written assessment); the newest answer per rule counts, and every earlier
one stays on record. A note is an internal comment: never in a letter, never shown to the
applicant. Each is on record in the case's audit trail (an answer through the caller's
transition, a note by its own event).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table, Text, insert, select

from runner.store.cases import lock_case, record_event
from runner.store.schema import Id, UTCDateTime, metadata, utcnow

if TYPE_CHECKING:
    from runner.store.store import Store

point_answers = Table(
    "point_answers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("decision_id", Id, ForeignKey("decisions.id"), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("robot_outcome", String(20), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("assessment", Text, nullable=False),
    Column("answered_by", String(100), nullable=False),
    Column("answered_at", UTCDateTime, nullable=False),
)

case_notes = Table(
    "case_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("case_id", Id, ForeignKey("cases.id"), nullable=False, index=True),
    Column("author", String(100), nullable=False),
    Column("written_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
)


@dataclass(frozen=True, slots=True)
class PointAnswer:
    """The caseworker's answer to one open point: the rule's result as they decided it."""

    id: int
    case_id: int
    decision_id: int
    rule_id: str
    robot_outcome: str  # what the robot read: uavklart, ikke_oppfylt or oppfylt (discretion)
    outcome: str  # oppfylt or ikke_oppfylt
    assessment: str
    answered_by: str
    answered_at: datetime


@dataclass(frozen=True, slots=True)
class NewAnswer:
    """An answer about to be stored."""

    rule_id: str
    robot_outcome: str
    outcome: str
    assessment: str


@dataclass(frozen=True, slots=True)
class CaseNote:
    """An internal note on a case."""

    id: int
    case_id: int
    author: str
    written_at: datetime
    text: str


class CaseworkStore:
    """Answers to open points and internal notes, on SQLite or PostgreSQL."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def answers(self, case_id: int) -> dict[str, PointAnswer]:
        """The newest answer to each of the case's points, by rule id."""
        with self._store._read() as conn:
            rows = conn.execute(
                select(point_answers)
                .where(point_answers.c.case_id == case_id)
                .order_by(point_answers.c.id)
            ).all()
        return {row.rule_id: PointAnswer(*row) for row in rows}

    def answer(
        self, case_id: int, decision_id: int, answers: list[NewAnswer], *, actor: str
    ) -> list[PointAnswer]:
        """Store the answers. The caller records them in the audit trail, in the same unit of
        work (runner/web/actions.py: the `points_answered` transition with the new letter)."""
        stored = []
        with self._store._write() as conn:
            lock_case(conn, case_id)
            now = utcnow()
            for new in answers:
                row = conn.execute(
                    insert(point_answers)
                    .values(
                        case_id=case_id,
                        decision_id=decision_id,
                        rule_id=new.rule_id,
                        robot_outcome=new.robot_outcome,
                        outcome=new.outcome,
                        assessment=new.assessment,
                        answered_by=actor,
                        answered_at=now,
                    )
                    .returning(*point_answers.c)
                ).one()
                stored.append(PointAnswer(*row))
        return stored

    def notes(self, case_id: int) -> list[CaseNote]:
        """The case's internal notes, oldest first."""
        with self._store._read() as conn:
            rows = conn.execute(
                select(case_notes).where(case_notes.c.case_id == case_id).order_by(case_notes.c.id)
            ).all()
        return [CaseNote(*row) for row in rows]

    def add_note(self, case_id: int, text: str, *, actor: str) -> CaseNote:
        """Store an internal note and a `note_added` event (the event holds only its id)."""
        with self._store._write() as conn:
            lock_case(conn, case_id)
            now = utcnow()
            note_id = conn.execute(
                insert(case_notes)
                .values(case_id=case_id, author=actor, written_at=now, text=text)
                .returning(case_notes.c.id)
            ).scalar_one()
            record_event(conn, case_id, actor=actor, kind="note_added", data={"note_id": note_id})
        return CaseNote(note_id, case_id, actor, now, text)
