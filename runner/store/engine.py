"""Database engines: the SQLite file (private, WAL, one writer at a time) and PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError
from sqlalchemy.pool import StaticPool

from runner.errors import StoreError
from runner.store.audit import PENDING, write_pending
from runner.store.schema import dumps_json

SQLITE_PRAGMAS = (
    "PRAGMA busy_timeout=30000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
)

#: Key in Connection.info of the rows this transaction holds (runner/store/cases.py: held).
HELD = "saksrobot.held"

URL_HINT = (
    "Sett store_url (SAKSROBOT_STORE_URL) eller --store til sqlite:///sti/til/saksrobot.db "
    "eller postgresql://bruker@vert:5432/database."
)


def parse_url(url: str | URL) -> URL:
    """The URL as SQLAlchemy reads it, or StoreError naming the fix. `postgres://` and
    `postgresql://` (as Heroku, Docker images and libpq write them) mean psycopg 3, the
    driver saksrobot ships with."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"'{url}' er ikke en database-URL", fix=URL_HINT) from error
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):
        return None if "mode=memory" in str(url) else Path(database[5:].split("?")[0])
    return Path(database)


def create_private_file(path: Path) -> None:
    """Create the database file 0600 in a directory created 0700 (it holds personal data)."""
    try:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
            os.chmod(path.parent, 0o700)
        if not path.exists():
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            try:
                os.fchmod(fd, 0o600)
            finally:
                os.close(fd)
    except FileExistsError:
        pass  # another process created it first, with the same mode
    except OSError as error:
        raise StoreError(
            f"Cannot create the store file {path}: {error.strerror}",
            fix="Choose a writable data_dir (SAKSROBOT_DATA_DIR) or store_url.",
        ) from error


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # transaction() emits BEGIN itself; sqlite3 must not.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


@contextmanager
def transaction(engine: Engine, *, write: bool) -> Iterator[Connection]:
    """One transaction: committed if the block ends normally, rolled back if it raises.

    On SQLite a writer takes the write lock up front (BEGIN IMMEDIATE), so a read-then-write
    transaction cannot fail half-way with "database is locked"; busy_timeout queues writers.
    A reader gets one snapshot (BEGIN). This is done here rather than in a "begin" event
    listener because any engine event makes SQLAlchemy dispatch on every statement.
    Each transaction starts with no case rows held (HELD) and no events waiting to be
    inserted (audit.PENDING: they are inserted together before it commits); its record of
    both goes with it.
    """
    with engine.connect() as conn:
        info = conn.info  # the pooled connection's, so it is taken out again below
        held: dict[int, Any] = {}
        pending: list[dict[str, Any]] = []
        info[HELD], info[PENDING] = held, pending
        try:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn
            if write:
                write_pending(conn)
                conn.commit()
        finally:
            if info.get(HELD) is held:
                del info[HELD]
            if info.get(PENDING) is pending:
                del info[PENDING]


def create_store_engine(url: str | URL) -> Engine:
    """An engine for the store at `url`; a SQLite file is created private if missing."""
    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, json_serializer=dumps_json, pool_pre_ping=True)
    path = sqlite_path(parsed)
    options: dict[str, Any] = {"json_serializer": dumps_json}
    if path is None:  # in memory: one connection, or every checkout sees an empty database
        options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        create_private_file(path)
    engine = create_engine(parsed, **options)
    event.listen(engine.pool, "connect", _on_sqlite_connect)
    return engine


def describe_failure(engine: Engine, error: DBAPIError) -> StoreError:
    """A StoreError that says what the database refused and what to check."""
    where = engine.url.render_as_string(hide_password=True)
    if isinstance(error, IntegrityError):
        return StoreError(
            f"The store at {where} refused a change: {error.orig}",
            fix="This is a bug or a database changed by hand; run the audit check (verify_audit).",
        )
    reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else "ukjent feil"
    return StoreError(
        f"Saksarkivet {where} kan ikke brukes: {reason}",
        fix="Sjekk at databaseserveren kjører og kan nås, at filen er et saksrobot-arkiv og "
        "ikke låst av en prosess som henger, og at store_url er riktig. " + URL_HINT,
    )
