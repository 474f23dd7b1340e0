"""Reading cases: by id or reference, the review queue, counts and the audit trail."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, bindparam, func, select

from runner.errors import NotFoundError, StoreError
from runner.store.audit import write_pending
from runner.store.cases import case_not_found, hold
from runner.store.records import CaseRecord, EventRecord, RawItemRecord
from runner.store.schema import cases, events, raw_items
from runner.store.states import RESUMABLE, CaseState

_GET_CASE = select(cases).where(cases.c.id == bindparam("case_id"))
_BY_REFERENCE = select(cases).where(cases.c.reference == bindparam("reference")).limit(2)
_EVENTS = select(events).where(events.c.case_id == bindparam("case_id")).order_by(events.c.seq)
_RAW_COLUMNS = [column for column in raw_items.c if column.name != "content"]
_OF_CASE = cases.c.id == bindparam("case_id")
_RAW_ITEM = select(*_RAW_COLUMNS).join(cases, cases.c.raw_item_id == raw_items.c.id).where(_OF_CASE)
_RAW_CONTENT = (
    select(raw_items.c.content).join(cases, cases.c.raw_item_id == raw_items.c.id).where(_OF_CASE)
)
_RAW_ITEM_AND_CONTENT = (
    select(*_RAW_COLUMNS, raw_items.c.content)
    .join(cases, cases.c.raw_item_id == raw_items.c.id)
    .where(_OF_CASE)
)
#: The same, with the case's head, its row locked as lock_case locks it.
_RAW_ITEM_AND_CONTENT_LOCKED = _RAW_ITEM_AND_CONTENT.add_columns(
    cases.c.state, cases.c.version, cases.c.event_seq, cases.c.event_hash
).with_for_update(of=cases)

#: The orders list_cases accepts; "-" sorts descending. Ties are broken by id.
ORDERS: dict[str, list[ColumnElement[Any]]] = {
    "id": [cases.c.id.asc()],
    "-id": [cases.c.id.desc()],
    "deadline": [cases.c.deadline.asc().nulls_last(), cases.c.id.asc()],
    "-deadline": [cases.c.deadline.desc().nulls_last(), cases.c.id.asc()],
    "created_at": [cases.c.created_at.asc(), cases.c.id.asc()],
    "-created_at": [cases.c.created_at.desc(), cases.c.id.desc()],
    "updated_at": [cases.c.updated_at.asc(), cases.c.id.asc()],
    "-updated_at": [cases.c.updated_at.desc(), cases.c.id.desc()],
}


def state_value(state: CaseState | str) -> str:
    """The stored text of a state, or StoreError naming the states there are."""
    try:
        return CaseState(state).value
    except ValueError:
        raise StoreError(
            f"There is no case state '{state}'", fix=f"Use one of: {', '.join(CaseState)}."
        ) from None


def get_case(conn: Connection, case_id: int) -> CaseRecord:
    """The case with this id, or NotFoundError."""
    row = conn.execute(_GET_CASE, {"case_id": case_id}).first()
    if row is None:
        raise case_not_found(case_id)
    return CaseRecord(*row)


def get_cases(conn: Connection, case_ids: list[int]) -> list[CaseRecord]:
    """The cases with these ids, in the order given, or NotFoundError for the first missing."""
    rows = conn.execute(select(cases).where(cases.c.id.in_(case_ids)))
    found = {row.id: CaseRecord(*row) for row in rows}
    missing = [case_id for case_id in case_ids if case_id not in found]
    if missing:
        raise case_not_found(missing[0])
    return [found[case_id] for case_id in case_ids]


def find_case(conn: Connection, ref_or_id: str) -> CaseRecord:
    """The case with this id (all digits) or else this reference."""
    text = ref_or_id.strip()
    if text.isdigit() and len(text) < 19:  # fits a BIGINT
        row = conn.execute(_GET_CASE, {"case_id": int(text)}).first()
        if row is not None:
            return CaseRecord(*row)
    rows = conn.execute(_BY_REFERENCE, {"reference": text}).all()
    if not rows:
        raise NotFoundError(
            f"No case has id or reference '{text}'",
            fix="Give the case number shown in the case list, or the case's exact reference.",
        )
    if len(rows) > 1:
        raise StoreError(
            f"More than one case has reference '{text}'",
            fix="Give the case id instead of the reference.",
        )
    return CaseRecord(*rows[0])


def list_cases(
    conn: Connection,
    *,
    state: CaseState | str | None,
    robot_id: str | None,
    kommunenummer: str | None,
    limit: int,
    offset: int,
    order: str,
) -> list[CaseRecord]:
    """A page of cases, filtered and ordered."""
    if order not in ORDERS:
        raise StoreError(
            f"Cannot order cases by '{order}'", fix=f"Use one of: {', '.join(ORDERS)}."
        )
    query = select(cases)
    if state is not None:
        query = query.where(cases.c.state == state_value(state))
    if robot_id is not None:
        query = query.where(cases.c.robot_id == robot_id)
    if kommunenummer is not None:
        query = query.where(cases.c.kommunenummer == kommunenummer)
    query = query.order_by(*ORDERS[order]).limit(limit).offset(offset)
    return [CaseRecord(*row) for row in conn.execute(query)]


def count_by_state(conn: Connection, robot_id: str | None) -> dict[tuple[str, str], int]:
    """How many cases each robot has in each state."""
    query = select(cases.c.robot_id, cases.c.state, func.count()).group_by(
        cases.c.state, cases.c.robot_id
    )
    if robot_id is not None:
        query = query.where(cases.c.robot_id == robot_id)
    return {(robot, state): int(count) for robot, state, count in conn.execute(query)}


def count_by_kommune(conn: Connection) -> dict[tuple[str, str | None, str], int]:
    """How many cases each robot has in each state, per kommune (None: not read yet)."""
    query = select(cases.c.robot_id, cases.c.kommunenummer, cases.c.state, func.count()).group_by(
        cases.c.robot_id, cases.c.kommunenummer, cases.c.state
    )
    return {
        (robot, kommune, state): int(count) for robot, kommune, state, count in conn.execute(query)
    }


def case_events(conn: Connection, case_id: int) -> list[EventRecord]:
    """A case's audit trail, oldest first."""
    write_pending(conn)
    return [EventRecord(*row) for row in conn.execute(_EVENTS, {"case_id": case_id})]


def cases_to_resume(conn: Connection, robot_id: str) -> list[int]:
    """Ids of the robot's cases whose work was interrupted, oldest first."""
    query = (
        select(cases.c.id)
        .where(cases.c.state.in_([state.value for state in RESUMABLE]))
        .where(cases.c.robot_id == robot_id)
        .order_by(cases.c.id)
    )
    return [int(case_id) for case_id in conn.execute(query).scalars()]


def raw_item(conn: Connection, case_id: int) -> RawItemRecord:
    """The raw item a case came from (without its content)."""
    row = conn.execute(_RAW_ITEM, {"case_id": case_id}).first()
    if row is None:
        raise case_not_found(case_id)
    return RawItemRecord(*row)


def raw_content(conn: Connection, case_id: int) -> bytes:
    """The bytes of the raw item a case came from."""
    content = conn.execute(_RAW_CONTENT, {"case_id": case_id}).scalar()
    if content is None:
        raise case_not_found(case_id)
    return bytes(content)


def raw_item_and_content(
    conn: Connection, case_id: int, *, lock: bool = False
) -> tuple[RawItemRecord, bytes]:
    """The raw item a case came from and its bytes, in one query (validation needs both).

    lock=True also locks the case as lock_case does, in the same query, and holds its head
    for this transaction: a transition after it reads no head of its own.
    """
    statement = _RAW_ITEM_AND_CONTENT_LOCKED if lock else _RAW_ITEM_AND_CONTENT
    row = conn.execute(statement, {"case_id": case_id}).first()
    if row is None:
        raise case_not_found(case_id)
    *item, content = row[: len(_RAW_COLUMNS) + 1]
    if lock:
        state, version, seq, event_hash = row[len(_RAW_COLUMNS) + 1 :]
        hold(conn, case_id, (state, version, seq, event_hash))
    return RawItemRecord(*item), bytes(content)
