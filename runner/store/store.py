"""The Store: one object per process that opens short transactions on the case database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from runner.errors import StoreError
from runner.models.results import Evaluation
from runner.store import audit, cases, documents, migrate, queries
from runner.store import outbox as outbox_rows
from runner.store.auditexport import export_events
from runner.store.casework import CaseworkStore
from runner.store.engine import create_store_engine, describe_failure, transaction
from runner.store.leases import LeaseStore
from runner.store.records import (
    CaseRecord,
    DecisionRecord,
    EventRecord,
    LetterRecord,
    OutboxRecord,
    RawItemRecord,
)
from runner.store.retention import RetentionStore
from runner.store.review import ReviewStore
from runner.store.states import CaseState
from runner.store.users import UserStore


class Store:
    """Cases, their audit trail, decisions, letters and outbox, on SQLite or PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._local = threading.local()  # this thread's open unit of work, if any
        dialect = engine.dialect.name
        self._insert_raw = cases.insert_raw_item_statement(dialect)
        self._insert_outbox = outbox_rows.enqueue_statement(dialect)

    @contextmanager
    def unit(self) -> Iterator[None]:
        """Every store call in the block, on this thread, in one write transaction.

        For a batch of cases' store steps (runner/steps/flow.py; each case in a `savepoint`):
        their rows and events are committed together or not at all, so a crash never
        leaves a step half done, and the batch pays for one commit instead of one per call.
        Not around anything that must be on record before a side effect outside the
        database (sending a letter). Nested units join the outer one.
        """
        if getattr(self._local, "conn", None) is not None:
            yield
            return
        with self._write() as conn:
            self._local.conn = conn
            try:
                yield
            finally:
                self._local.conn = None

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        """A part of the open unit that fails alone (a SAVEPOINT): if the block raises, its
        writes are rolled back and the rest of the unit goes on; if it ends normally, its
        writes stay in the unit, to be committed with it.

        For one case's steps in a batch of cases (runner/steps/flow.py). A database error
        is raised as StoreError: the caller should give up the whole unit.
        """
        conn = getattr(self._local, "conn", None)
        if conn is None:
            raise StoreError(
                "A savepoint is a part of a unit of work, and none is open",
                fix="Open it inside `with store.unit():`.",
            )
        heads = cases.held(conn)
        before = dict(heads or {})
        pending: list[Any] = conn.info.get(audit.PENDING, [])
        events_before = list(pending)
        try:
            with conn.begin_nested():
                yield
        except BaseException as error:
            if heads is not None:  # heads moved or locked in the savepoint are not held
                heads.clear()
                heads.update(before)
            pending[:] = events_before  # nor are its events (and those it inserted) kept
            if isinstance(error, DBAPIError):
                raise describe_failure(self.engine, error) from error
            raise

    def _write(self) -> AbstractContextManager[Connection]:
        return self._transaction(write=True)

    def _read(self) -> AbstractContextManager[Connection]:
        return self._transaction(write=False)

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Connection]:
        joined = getattr(self._local, "conn", None)
        if joined is not None:  # inside a unit: its transaction, whose writes reads see
            yield joined
            return
        try:
            with transaction(self.engine, write=write) as conn:
                yield conn
        except DBAPIError as error:
            raise describe_failure(self.engine, error) from error

    def upgrade(self) -> None:
        """Migrate the database to the schema this code needs."""
        try:
            migrate.check_not_newer(self.engine)
            migrate.upgrade(self.engine)
        except DBAPIError as error:
            raise describe_failure(self.engine, error) from error

    def check_schema(self) -> None:
        """Raise StoreError if the database is unreachable or at a newer schema than this code."""
        try:
            migrate.check_not_newer(self.engine)
        except DBAPIError as error:
            raise describe_failure(self.engine, error) from error

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Intake, transitions, events

    def add_raw_item(
        self,
        *,
        robot_id: str,
        source: str,
        source_ref: str,
        content: bytes,
        origin: str | None = None,
    ) -> tuple[int, bool]:
        """Store a raw item as a new case in `received`: (case id, True), or (id, False) if seen."""
        record, created = self.receive(
            robot_id=robot_id, source=source, source_ref=source_ref, content=content, origin=origin
        )
        return record.id, created

    def receive(
        self,
        *,
        robot_id: str,
        source: str,
        source_ref: str,
        content: bytes,
        origin: str | None = None,
    ) -> tuple[CaseRecord, bool]:
        """add_raw_item, returning the case itself: the caller need not read it back."""
        with self._write() as conn:
            return cases.add_raw_item(
                conn,
                self._insert_raw,
                robot_id=robot_id,
                source=source,
                source_ref=source_ref,
                content=content,
                origin=origin,
            )

    def resubmit(
        self,
        case_id: int,
        target: CaseState | str,
        *,
        actor: str,
        content: bytes | None,
        source_ref: str,
        data: dict[str, Any] | None = None,
        **fields: Any,
    ) -> CaseRecord:
        """Send a quarantined or parked case back in, with corrected raw content if given.

        Content and transition change in one transaction; the event records both hashes.
        """
        with self._write() as conn:
            event = dict(data or {})
            if content is not None:
                old, new = cases.replace_raw_content(
                    conn, case_id, source_ref=source_ref, content=content
                )
                event.update(old_content_hash=old, content_hash=new, source_ref=source_ref)
            return cases.transition(
                conn,
                case_id,
                target,
                actor=actor,
                event_kind="resubmitted" if content is not None else "retried",
                data=event,
                expected_version=None,
                fields=fields,
            )

    def raw_content(self, case_id: int) -> bytes:
        """The bytes the case was made from."""
        with self._read() as conn:
            return queries.raw_content(conn, case_id)

    def raw_item(self, case_id: int) -> RawItemRecord:
        """Where the case came from: source, source_ref, hash, size, time received."""
        with self._read() as conn:
            return queries.raw_item(conn, case_id)

    def raw_item_and_content(
        self, case_id: int, *, lock: bool = False
    ) -> tuple[RawItemRecord, bytes]:
        """raw_item and raw_content in one query, for a caller that needs both.

        lock=True, in a unit that goes on to change the case: the same query locks the case
        (as every write does first), and the transition after it needs no read of its own.
        """
        with self._read() as conn:
            return queries.raw_item_and_content(conn, case_id, lock=lock)

    def transition(
        self,
        case_id: int,
        target: CaseState | str,
        *,
        actor: str,
        event: str,
        data: dict[str, Any] | None = None,
        expected_version: int | None = None,
        **fields: Any,
    ) -> CaseRecord:
        """Move a case to `target`, set `fields` and append the event, in one transaction.

        `data` is the event's data; the case's own `data` column is set with case_data=.
        With expected_version (CaseRecord.version as read), a case changed since is refused.
        """
        with self._write() as conn:
            return cases.transition(
                conn,
                case_id,
                target,
                actor=actor,
                event_kind=event,
                data=data,
                expected_version=expected_version,
                fields=fields,
            )

    def record_event(
        self, case_id: int, *, actor: str, kind: str, data: dict[str, Any] | None = None
    ) -> EventRecord:
        """Append an event that changes no state."""
        with self._write() as conn:
            return cases.record_event(conn, case_id, actor=actor, kind=kind, data=data)

    # Decisions and letters

    def save_decision(
        self,
        case_id: int,
        evaluation: Evaluation,
        *,
        inputs_hash: str,
        template_id: str | None,
        template_hash: str | None,
    ) -> int:
        """Store an evaluation and its decision; returns the decision id."""
        return self.record_decision(
            case_id,
            evaluation,
            inputs_hash=inputs_hash,
            template_id=template_id,
            template_hash=template_hash,
        ).id

    def record_decision(
        self,
        case_id: int,
        evaluation: Evaluation,
        *,
        inputs_hash: str,
        template_id: str | None,
        template_hash: str | None,
    ) -> DecisionRecord:
        """Store an evaluation and its decision; the decision exactly as latest_decision
        reads it."""
        with self._write() as conn:
            return documents.record_decision(
                conn,
                case_id,
                evaluation,
                inputs_hash=inputs_hash,
                template_id=template_id,
                template_hash=template_hash,
            )

    def latest_decision(self, case_id: int) -> DecisionRecord | None:
        """The case's newest decision, if any."""
        with self._read() as conn:
            return documents.latest_decision(conn, case_id)

    def save_letter(
        self,
        *,
        case_id: int,
        decision_id: int,
        malform: str,
        markdown: str,
        pdf_path: str | None,
        sha256: str | None,
        created_by: str,
        template_id: str | None = None,
        template_hash: str | None = None,
        based_on: int | None = None,
    ) -> LetterRecord:
        """Store the next version of the case's letter (template_id None: edited by a human;
        `based_on`: the id of the robot's draft the human edits were made on)."""
        with self._write() as conn:
            return documents.save_letter(
                conn,
                case_id=case_id,
                decision_id=decision_id,
                malform=malform,
                markdown=markdown,
                pdf_path=pdf_path,
                sha256=sha256,
                created_by=created_by,
                template_id=template_id,
                template_hash=template_hash,
                based_on=based_on,
            )

    def update_letter_file(self, letter_id: int, pdf_path: str, sha256: str) -> LetterRecord:
        """Record the letter's PDF file and its sha256."""
        with self._write() as conn:
            return documents.update_letter_file(conn, letter_id, pdf_path, sha256)

    def approve_letter(self, letter_id: int, actor: str) -> LetterRecord:
        """Approve the newest version of a letter."""
        with self._write() as conn:
            return documents.approve_letter(conn, letter_id, actor)

    def letter(self, letter_id: int) -> LetterRecord:
        """One letter version by id."""
        with self._read() as conn:
            return documents.get_letter(conn, letter_id)

    def letters(self, case_id: int) -> list[LetterRecord]:
        """Every version of the case's letter, oldest first."""
        with self._read() as conn:
            return documents.case_letters(conn, case_id)

    def latest_letter(self, case_id: int) -> LetterRecord | None:
        """The newest version of the case's letter, if any."""
        with self._read() as conn:
            return documents.latest_letter(conn, case_id)

    # Outbox

    def enqueue(
        self, *, case_id: int, letter_id: int, key: str, channel: str, target: str
    ) -> OutboxRecord:
        """Put a letter in the outbox (idempotent on key)."""
        with self._write() as conn:
            return outbox_rows.enqueue(
                conn,
                self._insert_outbox,
                case_id=case_id,
                letter_id=letter_id,
                key=key,
                channel=channel,
                target=target,
            )

    def mark_sending(self, key: str) -> OutboxRecord:
        """pending → sending, before the channel is called."""
        with self._write() as conn:
            return outbox_rows.mark_sending(conn, key)

    def mark_sent(self, key: str) -> OutboxRecord:
        """sending (or needs_human) → sent."""
        with self._write() as conn:
            return outbox_rows.mark_sent(conn, key)

    def mark_needs_human(self, key: str, reason: str) -> OutboxRecord:
        """pending or sending → needs_human, with the reason."""
        with self._write() as conn:
            return outbox_rows.mark_needs_human(conn, key, reason)

    def mark_pending(self, key: str, reason: str) -> OutboxRecord:
        """sending or needs_human → pending: proven not delivered, may be sent again."""
        with self._write() as conn:
            return outbox_rows.mark_pending(conn, key, reason)

    def outbox(
        self, state: str | None = None, *, limit: int | None = None, channel: str | None = None
    ) -> list[OutboxRecord]:
        """Outbox rows, oldest first (of one channel, if given)."""
        with self._read() as conn:
            return outbox_rows.outbox_rows(conn, state, limit, channel)

    def outbox_for_case(self, case_id: int) -> list[OutboxRecord]:
        """A case's outbox rows, oldest first."""
        with self._read() as conn:
            return outbox_rows.outbox_for_case(conn, case_id)

    def outbox_and_letter(self, case_id: int) -> tuple[list[OutboxRecord], LetterRecord | None]:
        """outbox_for_case and latest_letter in one read transaction: what sending needs."""
        with self._read() as conn:
            rows = outbox_rows.outbox_for_case(conn, case_id)
            return rows, documents.latest_letter(conn, case_id)

    # Queries

    def get_case(self, case_id: int) -> CaseRecord:
        """The case with this id."""
        with self._read() as conn:
            return queries.get_case(conn, case_id)

    def get_cases(self, case_ids: list[int]) -> list[CaseRecord]:
        """The cases with these ids, in the order given (one query)."""
        with self._read() as conn:
            return queries.get_cases(conn, case_ids)

    def find_case(self, ref_or_id: str) -> CaseRecord:
        """The case with this id, or else with this reference."""
        with self._read() as conn:
            return queries.find_case(conn, ref_or_id)

    def list_cases(
        self,
        *,
        state: CaseState | str | None = None,
        robot_id: str | None = None,
        kommunenummer: str | None = None,
        limit: int = 100,
        offset: int = 0,
        order: str = "id",
    ) -> list[CaseRecord]:
        """A page of cases; order is one of queries.ORDERS ("-" for descending)."""
        with self._read() as conn:
            return queries.list_cases(
                conn,
                state=state,
                robot_id=robot_id,
                kommunenummer=kommunenummer,
                limit=limit,
                offset=offset,
                order=order,
            )

    def count_by_state(self, robot_id: str | None = None) -> dict[tuple[str, str], int]:
        """(robot_id, state) → number of cases."""
        with self._read() as conn:
            return queries.count_by_state(conn, robot_id)

    def count_by_kommune(self) -> dict[tuple[str, str | None, str], int]:
        """(robot_id, kommunenummer, state) → number of cases."""
        with self._read() as conn:
            return queries.count_by_kommune(conn)

    def events(self, case_id: int) -> list[EventRecord]:
        """The case's audit trail, oldest first."""
        with self._read() as conn:
            return queries.case_events(conn, case_id)

    def count_interruption(self, case_ids: list[int]) -> list[CaseRecord]:
        """Count that the cases are taken up again after a crash cut their processing short;
        the cases as they now are (committed before they are processed again)."""
        with self._write() as conn:
            return cases.count_interruption(conn, case_ids)

    def cases_to_resume(self, robot_id: str) -> list[int]:
        """Ids of the robot's cases in received, validated, evaluated, approved or finalised."""
        with self._read() as conn:
            return queries.cases_to_resume(conn, robot_id)

    @property
    def users(self) -> UserStore:
        """Caseworker accounts and web sessions (runner/store/users.py)."""
        return UserStore(self)

    @property
    def casework(self) -> CaseworkStore:
        """Answers to open points and internal notes (runner/store/casework.py)."""
        return CaseworkStore(self)

    @property
    def leases(self) -> LeaseStore:
        """Case leases and worker liveness for many workers (runner/store/leases.py)."""
        return LeaseStore(self)

    @property
    def review(self) -> ReviewStore:
        """Assignments and handled quarantine items (runner/store/review.py)."""
        return ReviewStore(self)

    @property
    def retention(self) -> RetentionStore:
        """Finding and removing personal data past its period (runner/store/retention.py)."""
        return RetentionStore(self)

    def verify_audit(self) -> list[str]:
        """Recompute every case's hash chain; one line per changed or removed event."""
        with self._read() as conn:
            return audit.verify_chains(conn)

    def export_audit(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[dict[str, Any]]:
        """The case trails' and the security log's events in [since, until) as SIEM events,
        oldest first, read in one transaction (runner/store/auditexport.py)."""
        with self._read() as conn:
            yield from export_events(conn, since, until)


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Open the store at `url` (creating a SQLite file), migrating it unless upgrade=False."""
    store = Store(create_store_engine(url))
    try:
        if upgrade:
            store.upgrade()
        else:
            store.check_schema()
    except BaseException:
        store.close()
        raise
    return store
