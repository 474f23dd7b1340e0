"""Writing cases: intake of raw items, state transitions and events, each in one transaction."""

from __future__ import annotations

import hashlib
from datetime import date
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from runner.errors import IllegalTransitionError, NotFoundError, StoreError
from runner.store.audit import GENESIS, add_event, insert_event, new_event
from runner.store.engine import HELD
from runner.store.records import CaseRecord, EventRecord
from runner.store.schema import cases, raw_items, utcnow
from runner.store.states import RESUMABLE, CaseState, check_transition

#: Case columns a transition may set besides the state.
CASE_FIELDS = frozenset(
    {
        "reference",
        "kommunenummer",
        "case_type",
        "outcome",
        "route",
        "reasons",
        "urgent",
        "deadline",
        "case_data",  # the `data` column; `data` itself is the event's data
        "errors",
        "attempts",
        "last_error",
    }
)

#: Event data keys only transitions write (the audit check follows to_state).
RESERVED_EVENT_KEYS = frozenset({"from_state", "to_state"})

_COLUMN = {"case_data": "data"}
_FIELD = {"data": "case_data"}

_READ_HEAD = (
    select(cases.c.state, cases.c.version, cases.c.event_seq, cases.c.event_hash)
    .where(cases.c.id == bindparam("case_id"))
    .with_for_update()
)
_MOVE_HEAD = (
    update(cases)
    .where(cases.c.id == bindparam("b_id"))
    .values(event_seq=bindparam("b_seq"), event_hash=bindparam("b_hash"))
)
_CASE_OF_RAW_ITEM = (
    select(cases)
    .join(raw_items, raw_items.c.id == cases.c.raw_item_id)
    .where(
        raw_items.c.robot_id == bindparam("robot_id"),
        raw_items.c.content_hash == bindparam("content_hash"),
    )
)
_INSERT_CASE = cases.insert().returning(cases.c.id)
#: The new case's head moved to its `received` event, and the case as it now is.
_START_HEAD = _MOVE_HEAD.returning(*cases.c)


def case_not_found(case_id: int | str) -> NotFoundError:
    """The error for a case id or reference that does not exist."""
    return NotFoundError(
        f"Case {case_id} does not exist",
        fix="Check the case id or reference; list the cases to see which exist.",
    )


#: A case's state, version and the seq and hash of its newest event, as read under its lock.
Head = tuple[str, int, int, str]


def held(conn: Connection) -> dict[int, Head] | None:
    """The heads of the cases this transaction has locked (None outside engine.transaction).

    Its lock keeps everyone else off a held row until the transaction ends, and every change
    this transaction makes to a head is recorded here: locking the case again, or reading
    its head for the next transition, can be skipped.
    """
    heads: dict[int, Head] | None = conn.info.get(HELD)
    return heads


def hold(conn: Connection, case_id: int, head: Head) -> None:
    """Record a head just read under the case's lock by this transaction (see held)."""
    heads = held(conn)
    if heads is not None:
        heads[case_id] = head


def lock_case(conn: Connection, case_id: int) -> None:
    """Hold the case row for this transaction (PostgreSQL; SQLite holds the write lock).

    A case this transaction already holds is not locked again.
    """
    heads = held(conn)
    if heads is None or case_id not in heads:
        _take_head(conn, case_id, heads)


def _take_head(conn: Connection, case_id: int, heads: dict[int, Head] | None) -> Head:
    """The case's head, locked: as held by this transaction, else read FOR UPDATE.

    The head is taken out of `heads` while the caller changes it; the caller puts the new
    one back once all its writes succeeded, so a failed write leaves nothing stale held.
    """
    head = heads.pop(case_id, None) if heads is not None else None
    if head is not None:
        return head
    row = conn.execute(_READ_HEAD, {"case_id": case_id}).first()
    if row is None:
        raise case_not_found(case_id)
    state, version, seq, event_hash = row
    head = (state, version, seq, event_hash)
    if heads is not None:
        heads[case_id] = head
    return head


def insert_raw_item_statement(dialect_name: str) -> Insert:
    """INSERT … ON CONFLICT (robot_id, content_hash) DO NOTHING RETURNING id, per dialect."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    return (
        insert(raw_items)
        .on_conflict_do_nothing(index_elements=["robot_id", "content_hash"])
        .returning(raw_items.c.id)
    )


def add_raw_item(
    conn: Connection,
    statement: Insert,
    *,
    robot_id: str,
    source: str,
    source_ref: str,
    content: bytes,
    origin: str | None = None,
) -> tuple[CaseRecord, bool]:
    """Store a raw item with its new case and `received` event; an item seen before is a no-op.

    Returns the case (new, or the one made from the item before) and whether it is new.

    `origin` (e.g. the file's full path) is kept in the event so the item can be read again.

    The insert skips a duplicate instead of failing on it, so two processes storing the same
    item at once end with one case: PostgreSQL makes the second wait for the first's commit.
    """
    content_hash = hashlib.sha256(content).hexdigest()
    now = utcnow()
    inserted = conn.execute(
        statement,
        {
            "robot_id": robot_id,
            "source": source,
            "source_ref": source_ref,
            "content": content,
            "content_hash": content_hash,
            "size": len(content),
            "received_at": now,
        },
    ).first()
    if inserted is None:  # seen before
        found = conn.execute(
            _CASE_OF_RAW_ITEM, {"robot_id": robot_id, "content_hash": content_hash}
        ).first()
        if found is None:  # pragma: no cover - only if someone deleted the case by hand
            raise StoreError(
                f"Raw item {content_hash} of robot {robot_id} exists without a case",
                fix="Run the store's audit (verify_audit) and restore the case from backup.",
            )
        return CaseRecord(*found), False
    case_id = conn.execute(
        _INSERT_CASE,
        {
            "raw_item_id": inserted[0],
            "robot_id": robot_id,
            "state": CaseState.received.value,
            "reasons": [],
            "urgent": False,
            "data": {},
            "errors": [],
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
            "version": 1,
            "event_seq": 0,
            "event_hash": GENESIS,
            "interruptions": 0,
        },
    ).scalar_one()
    event = new_event(
        case_id,
        seq=1,
        prev_hash=GENESIS,
        at=now,
        actor=f"robot:{robot_id}",
        kind="received",
        data={
            "source": source,
            "source_ref": source_ref,
            "content_hash": content_hash,
            "size": len(content),
            **({"origin": origin} if origin else {}),
            "to_state": CaseState.received.value,
        },
    )
    row = conn.execute(_START_HEAD, {"b_id": case_id, "b_seq": 1, "b_hash": event["hash"]}).one()
    add_event(conn, event)
    return CaseRecord(*row), True


def count_interruption(conn: Connection, case_ids: list[int]) -> list[CaseRecord]:
    """Count that the cases are taken up again after their processing was cut short; the
    cases as they now are, in the order given (not a move: no event, no new version)."""
    if not case_ids:
        return []
    statement = (
        update(cases)
        .where(cases.c.id.in_(case_ids))
        .values(interruptions=cases.c.interruptions + 1)
        .returning(*cases.c)
    )
    found = {row.id: CaseRecord(*row) for row in conn.execute(statement)}
    return [found[case_id] for case_id in case_ids if case_id in found]


def _column_value(name: str, value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if name == "deadline" and isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise StoreError(
                f"deadline '{value}' is not a date", fix="Give a date or YYYY-MM-DD."
            ) from None
    if name in ("reasons", "errors") and value is not None:
        return list(value)
    return value


@cache
def _update_statement(names: frozenset[str]) -> Update:
    """UPDATE cases for one set of changed columns, built once (statement building is slow)."""
    columns = {_COLUMN.get(name, name) for name in names}
    columns |= {"state", "updated_at", "version", "event_seq", "event_hash", "interruptions"}
    return (
        update(cases)
        .where(
            cases.c.id == bindparam("b_id"),
            cases.c.state == bindparam("b_state"),
            cases.c.version == bindparam("b_version"),
        )
        .values({column: bindparam(f"v_{_FIELD.get(column, column)}") for column in columns})
        .returning(*cases.c)
    )


def transition(
    conn: Connection,
    case_id: int,
    target: CaseState | str,
    *,
    actor: str,
    event_kind: str,
    data: dict[str, Any] | None,
    expected_version: int | None,
    fields: dict[str, Any],
) -> CaseRecord:
    """Move a case to `target`, set the given columns and append the event that says why."""
    unknown = sorted(set(fields) - CASE_FIELDS)
    if unknown:
        raise StoreError(
            f"Case {case_id}: a transition cannot set {', '.join(unknown)}",
            fix=f"Set only these case columns: {', '.join(sorted(CASE_FIELDS))}.",
        )
    heads = held(conn)
    current, version, seq, head = _take_head(conn, case_id, heads)
    wanted = check_transition(case_id, current, target)
    if expected_version is not None and expected_version != version:
        raise IllegalTransitionError(str(case_id), str(current), str(wanted), changed=True)
    if wanted not in RESUMABLE:
        # A case at rest is nobody's work: its lease ends in the same commit, so a worker
        # killed before it could release the lease leaves nothing dangling.
        fields = {**fields, "lease_owner": None, "lease_expires_at": None}
    now = utcnow()
    event = new_event(
        case_id,
        seq=seq + 1,
        prev_hash=head,
        at=now,
        actor=actor,
        kind=event_kind,
        data={**(data or {}), "from_state": current, "to_state": wanted.value},
    )
    params = {f"v_{name}": _column_value(name, value) for name, value in fields.items()}
    params.update(
        b_id=case_id,
        b_state=current,
        b_version=version,
        v_state=wanted.value,
        v_updated_at=now,
        v_version=version + 1,
        v_event_seq=seq + 1,
        v_event_hash=event["hash"],
        v_interruptions=0,  # the case moved: whatever cut it short before is behind it
    )
    # The optimistic check: the row must still be in the state and version read above.
    updated = conn.execute(_update_statement(frozenset(fields)), params).first()
    if updated is None:
        raise IllegalTransitionError(str(case_id), f"{current} (changed meanwhile)", wanted)
    add_event(conn, event)
    if heads is not None:
        heads[case_id] = (wanted.value, version + 1, seq + 1, event["hash"])
    return CaseRecord(*updated)


def record_event(
    conn: Connection, case_id: int, *, actor: str, kind: str, data: dict[str, Any] | None
) -> EventRecord:
    """Append an event that changes no state (a case viewed, a letter edited)."""
    reserved = sorted(RESERVED_EVENT_KEYS.intersection(data or {}))
    if reserved:
        raise StoreError(
            f"Case {case_id}: event data may not contain {', '.join(reserved)}",
            fix="Change state with Store.transition; it records from_state and to_state.",
        )
    heads = held(conn)
    state, version, seq, head = _take_head(conn, case_id, heads)
    event = new_event(
        case_id, seq=seq + 1, prev_hash=head, at=utcnow(), actor=actor, kind=kind, data=data or {}
    )
    conn.execute(_MOVE_HEAD, {"b_id": case_id, "b_seq": seq + 1, "b_hash": event["hash"]})
    recorded = insert_event(conn, event)
    if heads is not None:
        heads[case_id] = (state, version, seq + 1, event["hash"])
    return recorded


_RAW_OF_CASE = select(cases.c.raw_item_id, cases.c.robot_id).where(
    cases.c.id == bindparam("case_id")
)
_SAME_CONTENT = (
    select(cases.c.id)
    .join(raw_items, raw_items.c.id == cases.c.raw_item_id)
    .where(
        raw_items.c.robot_id == bindparam("robot_id"),
        raw_items.c.content_hash == bindparam("content_hash"),
        cases.c.id != bindparam("case_id"),
    )
)


def replace_raw_content(
    conn: Connection, case_id: int, *, source_ref: str, content: bytes
) -> tuple[str, str]:
    """Give a case corrected raw content (a fixed, re-submitted file): (old hash, new hash).

    The case keeps its id and audit trail; the event recording the change is the caller's.
    Content that is already another case of the robot is refused.
    """
    row = conn.execute(_RAW_OF_CASE, {"case_id": case_id}).first()
    if row is None:
        raise case_not_found(case_id)
    raw_id, robot_id = row
    old = conn.execute(select(raw_items.c.content_hash).where(raw_items.c.id == raw_id)).scalar()
    new = hashlib.sha256(content).hexdigest()
    other = conn.execute(
        _SAME_CONTENT, {"robot_id": robot_id, "content_hash": new, "case_id": case_id}
    ).scalar()
    if other is not None:
        raise StoreError(
            f"Case {case_id}: this content is already case {other}",
            fix=f"The corrected file was received before; see saksrobot explain {other}.",
        )
    conn.execute(
        update(raw_items)
        .where(raw_items.c.id == raw_id)
        .values(content=content, content_hash=new, size=len(content), source_ref=source_ref)
    )
    return str(old), new
