"""The outbox: one row per letter to send, keyed so that a letter goes out exactly once.

pending → sending (the channel is about to be called) → sent (it confirmed delivery).
A `sending` row found after a crash is reconciled by its channel: proven sent → sent,
proven not sent → pending again, unknown → needs_human. Never twice, never silently lost.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Connection, Insert, String, Update, bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite

from runner.errors import IllegalTransitionError, NotFoundError, StoreError
from runner.store.cases import lock_case
from runner.store.records import OutboxRecord
from runner.store.schema import letters, outbox, utcnow

PENDING, SENDING, SENT, NEEDS_HUMAN = "pending", "sending", "sent", "needs_human"
STATES = (PENDING, SENDING, SENT, NEEDS_HUMAN)

_BY_KEY = select(outbox).where(outbox.c.key == bindparam("key"))
_LETTER_CASE = select(letters.c.case_id).where(letters.c.id == bindparam("letter_id"))
_FOR_CASE = select(outbox).where(outbox.c.case_id == bindparam("case_id")).order_by(outbox.c.id)


_GIVEN = ("key", "channel", "target", "state", "attempts", "created_at", "updated_at")


def enqueue_statement(dialect_name: str) -> Insert:
    """INSERT … SELECT … ON CONFLICT (key) DO NOTHING RETURNING *, per dialect.

    The row is inserted only if the letter is the case's own: the check and the insert in
    one statement. (The WHERE also keeps SQLite from reading ON CONFLICT as a join's ON.)
    """
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    values = select(
        letters.c.case_id,
        letters.c.id,
        *(bindparam(name, type_=outbox.c[name].type) for name in _GIVEN),
    ).where(letters.c.id == bindparam("letter_id"), letters.c.case_id == bindparam("case_id"))
    return (
        insert(outbox)
        .from_select(["case_id", "letter_id", *_GIVEN], values)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(*outbox.c)
    )


def enqueue(
    conn: Connection,
    statement: Insert,
    *,
    case_id: int,
    letter_id: int,
    key: str,
    channel: str,
    target: str,
) -> OutboxRecord:
    """Put a letter in the outbox; the same key again returns the row already there."""
    lock_case(conn, case_id)
    now = utcnow()
    values = {
        "case_id": case_id,
        "letter_id": letter_id,
        "key": key,
        "channel": channel,
        "target": target,
        "state": PENDING,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }
    inserted = conn.execute(statement, values).first()
    if inserted is not None:
        return OutboxRecord(*inserted)
    # Nothing inserted: not the case's letter, or the key is taken.
    if conn.execute(_LETTER_CASE, {"letter_id": letter_id}).scalar() != case_id:
        raise StoreError(
            f"Letter {letter_id} does not belong to case {case_id}",
            fix="Enqueue a letter of the same case (Store.latest_letter).",
        )
    row = conn.execute(_BY_KEY, {"key": key}).one()
    if (row.case_id, row.letter_id) != (case_id, letter_id):
        raise StoreError(
            f"Outbox key '{key}' is already used by case {row.case_id}, letter {row.letter_id}",
            fix="Build the key from the case id and the letter version so it is unique.",
        )
    return OutboxRecord(*row)


@cache
def _move_statement(allowed: tuple[str, ...], names: frozenset[str]) -> Update:
    values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in names}
    values.update(state=bindparam("v_state"), updated_at=bindparam("v_updated_at"))
    if "attempts" in names:
        values["attempts"] = outbox.c.attempts + 1
    # IN with one parameter per state, not an expanding one: the SQL is the same each time
    states = [bindparam(f"b_allowed_{index}", type_=String()) for index in range(len(allowed))]
    return (
        update(outbox)
        .where(outbox.c.key == bindparam("b_key"), outbox.c.state.in_(states))
        .values(values)
        .returning(*outbox.c)
    )


def _move(
    conn: Connection,
    key: str,
    allowed: tuple[str, ...],
    target: str,
    values: dict[str, Any],
    *,
    again: bool = False,
) -> OutboxRecord:
    """Move the row to `target` if it is in an `allowed` state; again=True: a row already
    in `target` is returned as it is (read only when the move found nothing to move)."""
    params = {f"v_{name}": value for name, value in values.items()}
    params.update(b_key=key, v_state=target, v_updated_at=utcnow())
    params.update({f"b_allowed_{index}": state for index, state in enumerate(allowed)})
    row = conn.execute(_move_statement(allowed, frozenset(values)), params).first()
    if row is not None:
        return OutboxRecord(*row)
    current = conn.execute(_BY_KEY, {"key": key}).first()
    if current is None:
        raise NotFoundError(
            f"No outbox row has key '{key}'", fix="Enqueue the letter first (Store.enqueue)."
        )
    if again and current.state == target:
        return OutboxRecord(*current)
    raise IllegalTransitionError(f"{current.case_id} (outbox '{key}')", current.state, target)


def mark_sending(conn: Connection, key: str) -> OutboxRecord:
    """The channel is about to be called: only a pending row may be sent."""
    return _move(conn, key, (PENDING,), SENDING, {"attempts": None})  # attempts + 1


def mark_sent(conn: Connection, key: str) -> OutboxRecord:
    """The channel confirmed delivery (or a human proved it). Marking twice is harmless."""
    now = utcnow()
    values = {"sent_at": now, "last_error": None}
    return _move(conn, key, (SENDING, NEEDS_HUMAN), SENT, values, again=True)


def mark_needs_human(conn: Connection, key: str, reason: str) -> OutboxRecord:
    """Delivery can be proven neither way, or keeps failing: a human must decide."""
    return _move(conn, key, (PENDING, SENDING, NEEDS_HUMAN), NEEDS_HUMAN, {"last_error": reason})


def mark_pending(conn: Connection, key: str, reason: str) -> OutboxRecord:
    """The letter was proven not delivered (or a human said resend): it may be sent again."""
    return _move(conn, key, (SENDING, NEEDS_HUMAN), PENDING, {"last_error": reason})


def outbox_rows(
    conn: Connection, state: str | None, limit: int | None, channel: str | None = None
) -> list[OutboxRecord]:
    """Outbox rows, oldest first, optionally in one state and of one channel."""
    query = select(outbox).order_by(outbox.c.id)
    if channel is not None:
        query = query.where(outbox.c.channel == channel)
    if state is not None:
        if state not in STATES:
            raise StoreError(
                f"There is no outbox state '{state}'", fix=f"Use one of: {', '.join(STATES)}."
            )
        query = query.where(outbox.c.state == state)
    if limit is not None:
        query = query.limit(limit)
    return [OutboxRecord(*row) for row in conn.execute(query)]


def outbox_for_case(conn: Connection, case_id: int) -> list[OutboxRecord]:
    """A case's outbox rows, oldest first."""
    return [OutboxRecord(*row) for row in conn.execute(_FOR_CASE, {"case_id": case_id})]
