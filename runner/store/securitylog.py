"""The security log: logins, failed logins, admin actions — one append-only hash chain.

Reads of a case's personal data are events in that case's own trail (runner/store/audit.py);
what happens to accounts belongs to no case, so it has this chain of its own, hashed the
same way (audit.event_hash with case id 0). Table from migration 0006. `saksrobot
retention` removes its oldest events; the run's `retention` event names the last one removed
and its hash, and the check starts there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, Connection, String, Table, insert, select, text

from runner.store.audit import GENESIS, event_hash
from runner.store.schema import Id, UTCDateTime, canonical_json, metadata, utcnow

if TYPE_CHECKING:
    from runner.store.store import Store

#: The PostgreSQL advisory lock that makes appends to the chain take turns.
_CHAIN_LOCK = 0x5EC106

security_events = Table(
    "security_events",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)


@dataclass(frozen=True, slots=True)
class SecurityEvent:
    """One entry: who (`actor`, a username or 'cli'), what (`kind`) and the details."""

    seq: int
    at: datetime
    actor: str
    kind: str
    data: dict[str, Any]
    prev_hash: str
    hash: str


class SecurityLog:
    """Appending to and reading the chain, each call one short transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def record(self, kind: str, *, actor: str, **data: Any) -> SecurityEvent:
        """Append an event; `data` holds ids, roles, kommuner and the source address only."""
        clean = json.loads(canonical_json(data))
        with self._store._write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
            last = conn.execute(
                select(security_events.c.seq, security_events.c.hash)
                .order_by(security_events.c.seq.desc())
                .limit(1)
            ).first()
            seq, prev_hash = (last.seq + 1, last.hash) if last is not None else (1, GENESIS)
            at = utcnow()
            row = {
                "seq": seq,
                "at": at,
                "actor": actor,
                "kind": kind,
                "data": clean,
                "prev_hash": prev_hash,
                "hash": event_hash(prev_hash, 0, seq, at, actor, kind, clean),
            }
            conn.execute(insert(security_events).values(row))
        return SecurityEvent(**row)

    def events(self, *, kind: str | None = None, limit: int = 1000) -> list[SecurityEvent]:
        """The newest events, oldest first."""
        query = select(security_events).order_by(security_events.c.seq.desc()).limit(limit)
        if kind is not None:
            query = query.where(security_events.c.kind == kind)
        with self._store._read() as conn:
            rows = conn.execute(query).all()
        return [SecurityEvent(*row) for row in reversed(rows)]

    def verify(self) -> list[str]:
        """Recompute the chain; one line per changed, removed or inserted event."""
        with self._store._read() as conn:
            return verify_security_chain(conn)


def _retention_anchor(conn: Connection) -> tuple[int, str]:
    """Where the kept chain starts: after the last event a retention run removed (its seq
    and hash, named by the newest `retention` event that removed any), else at the start."""
    query = (
        select(security_events.c.data)
        .where(security_events.c.kind == "retention")
        .order_by(security_events.c.seq.desc())
    )
    for data in conn.execute(query).scalars():
        if isinstance(data, dict) and data.get("pruned_through"):
            return int(data["pruned_through"]), str(data["anchor_hash"])
    return 0, GENESIS


def verify_security_chain(conn: Connection) -> list[str]:
    problems: list[str] = []
    through, prev_hash = _retention_anchor(conn)
    expected = through + 1
    query = select(security_events).order_by(security_events.c.seq)
    for event in conn.execution_options(yield_per=2000).execute(query):
        if event.seq != expected:
            problems.append(f"security log seq {expected}–{event.seq - 1}: events removed")
        elif event.prev_hash != prev_hash:
            problems.append(f"security log seq {event.seq}: the event before was changed")
        digest = event_hash(
            event.prev_hash, 0, event.seq, event.at, event.actor, event.kind, event.data
        )
        if digest != event.hash:
            problems.append(f"security log seq {event.seq}: event changed (hash mismatch)")
        prev_hash, expected = event.hash, event.seq + 1
    return problems
