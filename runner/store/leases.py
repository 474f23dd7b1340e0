"""Case leases for many workers: claim with SKIP LOCKED, heartbeat, release; worker liveness;
and the same for a kommune's follow-up (runner/followup.py): one holder at a time, not too often."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    String,
    Table,
    and_,
    case,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from runner.store.schema import UTCDateTime, cases, metadata, utcnow
from runner.store.states import RESUMABLE

if TYPE_CHECKING:
    from runner.store.store import Store

#: One row per worker process; heartbeat_at tells whether it is alive.
workers = Table(
    "workers",
    metadata,
    Column("worker_id", String(200), primary_key=True),
    Column("hostname", String(200), nullable=False),
    Column("pid", Integer, nullable=False),
    Column("robots", String(1000), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("processed", Integer, nullable=False),
    Column("stopped_at", UTCDateTime),
)

#: One row per kommune whose follow-up ever ran: who holds it now and when it last ended.
follow_ups = Table(
    "follow_ups",
    metadata,
    Column("kommunenummer", String(4), primary_key=True),
    Column("holder", String(200)),
    Column("held_until", UTCDateTime),
    Column("done_at", UTCDateTime),
)

_RESUMABLE = [state.value for state in RESUMABLE]


@dataclass(frozen=True)
class WorkerRecord:
    """A worker as `saksrobot status` shows it."""

    worker_id: str
    hostname: str
    pid: int
    robots: str
    started_at: datetime
    heartbeat_at: datetime
    processed: int
    stopped_at: datetime | None
    leases: int


def _now(conn: Connection) -> Any:
    """The database server's clock on PostgreSQL, so machines with skewed clocks agree on
    when a lease expires; this process's clock on SQLite (one machine)."""
    return func.now() if conn.dialect.name == "postgresql" else utcnow()


def _free(now: Any) -> ColumnElement[bool]:
    return or_(cases.c.lease_expires_at.is_(None), cases.c.lease_expires_at < now)


def claim(
    conn: Connection, robot_ids: list[str], worker_id: str, lease_seconds: float, limit: int
) -> list[int]:
    """Lease up to `limit` resumable cases of the robots whose lease is empty or expired.

    Urgent cases first, then the oldest. On PostgreSQL the candidates are locked with
    FOR UPDATE SKIP LOCKED, so concurrent workers take disjoint cases without waiting; on
    SQLite the write transaction (BEGIN IMMEDIATE) makes the conditional UPDATE the only writer.

    A case whose lease another worker still names (it expired: that worker died holding it)
    is taken over, and counted as interrupted (`interruptions`: parked past a limit).
    """
    if not robot_ids or limit <= 0:
        return []
    now = _now(conn)
    candidates = (
        select(cases.c.id)
        .where(cases.c.state.in_(_RESUMABLE), cases.c.robot_id.in_(robot_ids), _free(now))
        .order_by(cases.c.urgent.desc(), cases.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(cases)
        .where(cases.c.id.in_(candidates.scalar_subquery()), _free(now))
        .values(
            lease_owner=worker_id,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
            interruptions=case(
                (cases.c.lease_owner.is_not(None), cases.c.interruptions + 1),
                else_=cases.c.interruptions,
            ),
        )
        .returning(cases.c.id, cases.c.urgent)
    )
    rows = conn.execute(statement).all()
    return [int(row.id) for row in sorted(rows, key=lambda row: (not row.urgent, row.id))]


def heartbeat(
    conn: Connection, worker_id: str, case_ids: list[int], lease_seconds: float
) -> list[int]:
    """Extend the worker's leases on `case_ids`; returns the ids it still holds."""
    now = _now(conn)
    conn.execute(update(workers).where(workers.c.worker_id == worker_id).values(heartbeat_at=now))
    if not case_ids:
        return []
    statement = (
        update(cases)
        .where(cases.c.id.in_(case_ids), cases.c.lease_owner == worker_id)
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(cases.c.id)
    )
    return sorted(int(case_id) for case_id in conn.execute(statement).scalars())


def release(conn: Connection, case_ids: list[int], worker_id: str, *, processed: int = 0) -> int:
    """Give up the worker's leases on the cases; how many it still held.

    `processed` cases are also counted as done by the worker (one transaction for both).
    """
    statement = (
        update(cases)
        .where(cases.c.id.in_(case_ids), cases.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None)
    )
    held = conn.execute(statement).rowcount if case_ids else 0
    if processed:
        conn.execute(
            update(workers)
            .where(workers.c.worker_id == worker_id)
            .values(processed=workers.c.processed + processed)
        )
    return held


def register_worker(conn: Connection, worker_id: str, hostname: str, pid: int, robots: str) -> None:
    """Record a starting worker (a restarted worker id starts afresh)."""
    now = _now(conn)
    values = {
        "worker_id": worker_id,
        "hostname": hostname,
        "pid": pid,
        "robots": robots,
        "started_at": now,
        "heartbeat_at": now,
        "processed": 0,
        "stopped_at": None,
    }
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(workers)
    changed = {key: value for key, value in values.items() if key != "worker_id"}
    conn.execute(
        insert.values(values).on_conflict_do_update(index_elements=["worker_id"], set_=changed)
    )


def stop_worker(conn: Connection, worker_id: str) -> None:
    """Release every lease of a worker that stops and mark it stopped."""
    conn.execute(
        update(cases)
        .where(cases.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None)
    )
    conn.execute(
        update(workers).where(workers.c.worker_id == worker_id).values(stopped_at=_now(conn))
    )


def list_workers(conn: Connection) -> list[WorkerRecord]:
    """Every worker known, newest heartbeat first, with the number of live leases it holds."""
    now = _now(conn)
    held = (
        select(cases.c.lease_owner, func.count().label("n"))
        .where(cases.c.lease_owner.is_not(None), cases.c.lease_expires_at >= now)
        .group_by(cases.c.lease_owner)
        .subquery()
    )
    query = (
        select(*workers.c, func.coalesce(held.c.n, 0))
        .outerjoin(held, held.c.lease_owner == workers.c.worker_id)
        .order_by(workers.c.heartbeat_at.desc())
    )
    return [WorkerRecord(*tuple(row)) for row in conn.execute(query)]


def backlog(conn: Connection) -> dict[str, tuple[int, int]]:
    """robot_id → (resumable cases waiting for a worker, cases leased now)."""
    now = _now(conn)
    leased = and_(cases.c.lease_owner.is_not(None), cases.c.lease_expires_at >= now)
    query = (
        select(
            cases.c.robot_id,
            func.count().filter(~leased),
            func.count().filter(leased),
        )
        .where(cases.c.state.in_(_RESUMABLE))
        .group_by(cases.c.robot_id)
    )
    return {str(robot): (int(waiting), int(held)) for robot, waiting, held in conn.execute(query)}


def take_follow_up(
    conn: Connection, kommunenummer: str, holder: str, interval: float, hold: float
) -> bool:
    """Hold the kommune's follow-up for `hold` seconds, if nobody holds it and the last one
    ended at least `interval` seconds ago. On PostgreSQL a second taker's UPDATE waits for
    the first's row and then finds it held (READ COMMITTED re-reads the row); on SQLite the
    write transaction (BEGIN IMMEDIATE) makes it the only writer."""
    now = _now(conn)
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(follow_ups)
    conn.execute(insert.values(kommunenummer=kommunenummer).on_conflict_do_nothing())
    statement = (
        update(follow_ups)
        .where(
            follow_ups.c.kommunenummer == kommunenummer,
            or_(follow_ups.c.held_until.is_(None), follow_ups.c.held_until < now),
            or_(
                follow_ups.c.done_at.is_(None),
                follow_ups.c.done_at <= now - timedelta(seconds=interval),
            ),
        )
        .values(holder=holder, held_until=now + timedelta(seconds=hold))
    )
    return conn.execute(statement).rowcount == 1


def end_follow_up(conn: Connection, kommunenummer: str, holder: str) -> None:
    """The holder's follow-up of the kommune ended: free, and done now."""
    conn.execute(
        update(follow_ups)
        .where(follow_ups.c.kommunenummer == kommunenummer, follow_ups.c.holder == holder)
        .values(holder=None, held_until=None, done_at=_now(conn))
    )


class LeaseStore:
    """Leases and workers on one Store; every call is its own short transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def claim(
        self, robot_ids: list[str], worker_id: str, lease_seconds: float, limit: int
    ) -> list[int]:
        """Lease up to `limit` cases waiting for a worker; their ids, urgent first."""
        with self._store._write() as conn:
            return claim(conn, robot_ids, worker_id, lease_seconds, limit)

    def heartbeat(self, worker_id: str, case_ids: list[int], lease_seconds: float) -> list[int]:
        """Mark the worker alive and extend its leases; the ids it still holds."""
        with self._store._write() as conn:
            return heartbeat(conn, worker_id, case_ids, lease_seconds)

    def release(self, case_id: int, worker_id: str, *, processed: bool = False) -> bool:
        """Give up a lease (counting the case as done if processed); False if not held."""
        return self.release_all([case_id], worker_id, processed=int(processed)) == 1

    def release_all(self, case_ids: list[int], worker_id: str, *, processed: int = 0) -> int:
        """Give up leases (counting `processed` cases as done); how many were still held."""
        with self._store._write() as conn:
            return release(conn, case_ids, worker_id, processed=processed)

    def register(self, worker_id: str, hostname: str, pid: int, robots: list[str]) -> None:
        """Record a starting worker."""
        with self._store._write() as conn:
            register_worker(conn, worker_id, hostname, pid, ",".join(robots))

    def stop(self, worker_id: str) -> None:
        """Release all of a stopping worker's leases and mark it stopped."""
        with self._store._write() as conn:
            stop_worker(conn, worker_id)

    def take_follow_up(
        self, kommunenummer: str, holder: str, *, interval: float, hold: float
    ) -> bool:
        """Whether `holder` now follows the kommune up (for at most `hold` seconds): nobody
        else does, and the last follow-up ended at least `interval` seconds ago."""
        with self._store._write() as conn:
            return take_follow_up(conn, kommunenummer, holder, interval, hold)

    def end_follow_up(self, kommunenummer: str, holder: str) -> None:
        """Give the kommune's follow-up back, as done now."""
        with self._store._write() as conn:
            end_follow_up(conn, kommunenummer, holder)

    def workers(self) -> list[WorkerRecord]:
        """Every worker known, with its live leases."""
        with self._store._read() as conn:
            return list_workers(conn)

    def backlog(self) -> dict[str, tuple[int, int]]:
        """robot_id → (cases waiting for a worker, cases leased now)."""
        with self._store._read() as conn:
            return backlog(conn)
