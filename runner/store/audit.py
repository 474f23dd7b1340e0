"""The audit trail: append-only events per case, each carrying the hash of the one before."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select

from runner.store.records import EventRecord
from runner.store.schema import canonical_json, cases, events

#: The prev_hash of a case's first event.
GENESIS = "0" * 64

_INSERT_EVENT = insert(events).returning(events.c.id)
_INSERT_EVENTS = insert(events)

#: Key in Connection.info of the events this transaction will insert before it commits
#: (runner/store/engine.py: transaction); a savepoint rolled back drops its own.
PENDING = "saksrobot.pending_events"


def event_hash(
    prev_hash: str, case_id: int, seq: int, at: datetime, actor: str, kind: str, data: Any
) -> str:
    """sha256 over the event's fields and the canonical JSON of its data."""
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    text = canonical_json([prev_hash, case_id, seq, stamp, actor, kind, data])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def new_event(
    case_id: int,
    *,
    seq: int,
    prev_hash: str,
    at: datetime,
    actor: str,
    kind: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """The row of the next event of a case's chain, hash included (not yet inserted)."""
    # Store exactly what is hashed: the JSON text read back must give the same hash.
    clean = json.loads(canonical_json(data))
    digest = event_hash(prev_hash, case_id, seq, at, actor, kind, clean)
    return {
        "case_id": case_id,
        "seq": seq,
        "at": at,
        "actor": actor,
        "kind": kind,
        "data": clean,
        "prev_hash": prev_hash,
        "hash": digest,
    }


def insert_event(conn: Connection, row: dict[str, Any]) -> EventRecord:
    """Insert an event made by new_event now; the caller moves the case's head to it."""
    write_pending(conn)  # the events before it first: ids follow the order they were made
    return EventRecord(id=conn.execute(_INSERT_EVENT, row).scalar_one(), **row)


def add_event(conn: Connection, row: dict[str, Any]) -> None:
    """Insert an event made by new_event with the transaction's others, in one statement
    before it commits (now, outside engine.transaction); the caller moves the head to it."""
    pending: list[dict[str, Any]] | None = conn.info.get(PENDING)
    if pending is None:
        conn.execute(_INSERT_EVENTS, row)
    else:
        pending.append(row)


def write_pending(conn: Connection) -> None:
    """Insert the events add_event kept for this transaction (one executemany)."""
    pending: list[dict[str, Any]] | None = conn.info.get(PENDING)
    if pending:
        conn.execute(_INSERT_EVENTS, pending if len(pending) > 1 else pending[0])
        pending.clear()


def _event_rows(conn: Connection) -> Iterator[Any]:
    write_pending(conn)
    query = select(events).order_by(events.c.case_id, events.c.seq)
    yield from conn.execution_options(yield_per=2000).execute(query)


def _case_rows(conn: Connection) -> Iterator[Any]:
    query = select(cases.c.id, cases.c.state, cases.c.event_seq, cases.c.event_hash)
    query = query.order_by(cases.c.id)
    yield from conn.execution_options(yield_per=2000).execute(query)


def _check_case(case: Any, chain: list[Any]) -> list[str]:
    """Problems in one case's chain (ordered by seq), checked against the case's head."""
    case_id = case.id
    if not chain:
        return [f"case {case_id}: has no events (its audit trail was removed)"]
    problems: list[str] = []
    prev_hash, expected_seq, last_state = GENESIS, 1, None
    for event in chain:
        if event.seq != expected_seq:
            problems.append(
                f"case {case_id} seq {expected_seq}–{event.seq - 1}: events removed (seq gap)"
            )
        elif event.prev_hash != prev_hash:
            problems.append(
                f"case {case_id} seq {event.seq}: the event before was changed or removed "
                "(prev_hash mismatch)"
            )
        digest = event_hash(
            event.prev_hash, case_id, event.seq, event.at, event.actor, event.kind, event.data
        )
        if digest != event.hash:
            problems.append(f"case {case_id} seq {event.seq}: event changed (hash mismatch)")
        prev_hash, expected_seq = event.hash, event.seq + 1
        if isinstance(event.data, dict) and "to_state" in event.data:
            last_state = event.data["to_state"]
    last = chain[-1]
    if last.seq < case.event_seq:
        problems.append(
            f"case {case_id} seq {last.seq + 1}–{case.event_seq}: newest events removed "
            f"(the case's head is seq {case.event_seq})"
        )
    elif last.seq > case.event_seq or last.hash != case.event_hash:
        problems.append(
            f"case {case_id} seq {last.seq}: events added or replaced behind the store's back "
            f"(the case's head is seq {case.event_seq})"
        )
    if last_state != case.state:
        problems.append(
            f"case {case_id} seq {last.seq}: state edited (case is '{case.state}', "
            f"its trail ends in '{last_state}')"
        )
    return problems


def verify_chains(conn: Connection) -> list[str]:
    """Recompute every case's chain; one line per problem, naming the case and the seq."""
    problems: list[str] = []
    event_iter = _event_rows(conn)
    pending = next(event_iter, None)
    for case in _case_rows(conn):
        case_id = case.id
        while pending is not None and pending.case_id < case_id:  # events of no case
            problems.append(f"case {pending.case_id} seq {pending.seq}: event of a missing case")
            pending = next(event_iter, None)
        chain: list[Any] = []
        while pending is not None and pending.case_id == case_id:
            chain.append(pending)
            pending = next(event_iter, None)
        problems.extend(_check_case(case, chain))
    while pending is not None:
        problems.append(f"case {pending.case_id} seq {pending.seq}: event of a missing case")
        pending = next(event_iter, None)
    return problems
