"""The audit trails as SIEM events: every case's chain and the security log, one JSON object
per event, oldest first (`saksrobot audit export`).

An event carries who (actor and role), from where (source address), what (event type, and
the case or account it concerns by id), for which kommune, the outcome, and its place in its
hash chain (chain, seq, hash, prev_hash), so a SIEM can check the chain continues. It never
carries the event's own data (a rejection reason or a note may name a person): only the
fields below, which hold ids, roles, kommunenummer and addresses.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from runner.store.schema import cases, events
from runner.store.securitylog import security_events
from runner.store.users import users

#: The actors that are no account: the pipeline ("robot", "robot:<robot id>") and the
#: server's command line.
SYSTEM_ROLES = {"robot": "system", "cli": "operator"}
#: Event types that record something refused or failed (every other one succeeded).
OUTCOMES = {"login_failed": "failure", "admin_refused": "denied"}


def timestamp(at: datetime) -> str:
    """ISO 8601 in UTC with a Z: 2026-12-06T19:12:47.123456Z."""
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _case_events(conn: Connection, since: datetime, until: datetime | None) -> Iterator[Any]:
    query = (
        select(
            events.c.case_id,
            events.c.seq,
            events.c.at,
            events.c.actor,
            events.c.kind,
            events.c.data,
            events.c.prev_hash,
            events.c.hash,
            cases.c.kommunenummer,
        )
        .join(cases, cases.c.id == events.c.case_id)
        .where(events.c.at >= since)
        .order_by(events.c.at, events.c.id)
    )
    if until is not None:
        query = query.where(events.c.at < until)
    yield from conn.execution_options(yield_per=2000).execute(query)


def _security_events(conn: Connection, since: datetime, until: datetime | None) -> Iterator[Any]:
    query = (
        select(security_events).where(security_events.c.at >= since).order_by(security_events.c.seq)
    )
    if until is not None:
        query = query.where(security_events.c.at < until)
    yield from conn.execution_options(yield_per=2000).execute(query)


def _data(row: Any) -> dict[str, Any]:
    return row.data if isinstance(row.data, dict) else {}


def export_events(
    conn: Connection, since: datetime, until: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every audit event at or after `since` and before `until`, oldest first."""
    accounts = {
        name: (role, kommuner)
        for name, role, kommuner in conn.execute(
            select(users.c.username, users.c.role, users.c.kommuner)
        )
    }

    def role_of(actor: str, data: dict[str, Any]) -> str | None:
        recorded = data.get("role") if "page" in data else None  # a read records the reader's
        account = accounts.get(actor)
        system = SYSTEM_ROLES.get(actor.partition(":")[0])  # robot, robot:<id>, cli
        return recorded or system or (account[0] if account else None)

    def of_case(row: Any) -> dict[str, Any]:
        data = _data(row)
        return {
            "timestamp": timestamp(row.at),
            "event_type": row.kind,
            "actor": row.actor,
            "actor_role": role_of(row.actor, data),
            "kommune": row.kommunenummer,
            "source_address": data.get("source") if "page" in data else None,
            "object": {"type": "case", "id": row.case_id},
            "outcome": OUTCOMES.get(row.kind, "success"),
            "chain": f"case:{row.case_id}",
            "seq": row.seq,
            "hash": row.hash,
            "prev_hash": row.prev_hash,
        }

    def of_security_log(row: Any) -> dict[str, Any]:
        data = _data(row)
        account = accounts.get(row.actor)
        # The account acted on (admin actions), or else the actor's own (logins).
        kommuner = data.get("kommuner", account[1] if account else None)
        user_id = data.get("user_id")
        return {
            "timestamp": timestamp(row.at),
            "event_type": row.kind,
            "actor": row.actor,
            "actor_role": role_of(row.actor, {}),
            "kommune": ",".join(kommuner) if isinstance(kommuner, list) else None,
            "source_address": data.get("source"),
            "object": {"type": "account", "id": user_id} if user_id is not None else None,
            "outcome": OUTCOMES.get(row.kind, "success"),
            "chain": "security",
            "seq": row.seq,
            "hash": row.hash,
            "prev_hash": row.prev_hash,
        }

    case_rows = ((row.at, 0, of_case, row) for row in _case_events(conn, since, until))
    log_rows = ((row.at, 1, of_security_log, row) for row in _security_events(conn, since, until))
    for _at, _order, convert, row in heapq.merge(
        case_rows, log_rows, key=lambda item: (item[0], item[1])
    ):
        yield convert(row)
