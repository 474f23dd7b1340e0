"""Hot statements on SQLite run on the driver's cursor, with SQLAlchemy's own SQL and types.

SQLAlchemy spends 40–90 µs of Python per statement around SQLite's own 10–50 µs (execution
context, parameter and result objects), and a case sends about twenty statements. For the
few statements every case step sends (a transition's UPDATE … RETURNING, an event's
INSERT), `run` takes the same SQL text and the same bind and result conversions that
SQLAlchemy compiled for the dialect, and runs them on the DBAPI connection of the same
SQLAlchemy connection, in its transaction: the same rows, a fraction of the cost.

Only where that is plainly the same: SQLite, a statement with neither expanding nor
post-compiled parameters, and a connection without event listeners (which expect
SQLAlchemy's execution context); everything else goes through `Connection.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Insert, Update
from sqlalchemy.engine.interfaces import Dialect

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    statement: Insert | Update  # kept so its id is not reused while it is cached
    sql: str
    binds: tuple[tuple[str, _Processor], ...]  # (parameter name, bind conversion) in order
    results: tuple[_Processor, ...]  # result conversion of each column it returns


_compiled: dict[tuple[int, frozenset[str]], _Compiled | None] = {}
_UNSET: Any = object()


def _compile(
    statement: Insert | Update, dialect: Dialect, keys: frozenset[str]
) -> _Compiled | None:
    # The columns given, as Connection.execute compiles it (an INSERT names only those).
    compiled: Any = statement.compile(dialect=dialect, column_keys=sorted(keys))
    sql: str = compiled.string
    names = compiled.positiontup
    if names is None or "POSTCOMPILE" in sql or compiled.literal_execute_params:
        return None
    processors = compiled._bind_processors
    results = tuple(
        column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns
    )
    return _Compiled(
        statement, sql, tuple((name, processors.get(name)) for name in names), results
    )


def _prepared(
    conn: Connection, statement: Insert | Update, params: Mapping[str, Any]
) -> _Compiled | None:
    """The statement compiled for the fast way, or None where it must take the usual way."""
    if conn.dialect.name != "sqlite" or conn._has_events or conn.engine._has_events:
        return None
    keys = frozenset(params)
    key = (id(statement), keys)
    found = _compiled.get(key, _UNSET)
    if found is _UNSET:
        found = _compiled[key] = _compile(statement, conn.dialect, keys)
    return found  # type: ignore[no-any-return]


def returning_one(
    conn: Connection, statement: Insert | Update, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row a statement with RETURNING gives (None: no row), converted."""
    found = _prepared(conn, statement, params)
    if found is None:
        row = conn.execute(statement, params).first()
        return None if row is None else tuple(row)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(found.sql, _arguments(found, params))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if row is None:
        return None
    return tuple(
        value if convert is None or value is None else convert(value)
        for value, convert in zip(row, found.results, strict=True)
    )


def insert(conn: Connection, statement: Insert | Update, params: Mapping[str, Any]) -> int:
    """Run an INSERT of one row; its new primary key."""
    found = _prepared(conn, statement, params)
    if found is None:
        return int(conn.execute(statement, params).inserted_primary_key[0])  # type: ignore[index]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(found.sql, _arguments(found, params))
        return int(cursor.lastrowid)
    finally:
        cursor.close()


def _arguments(found: _Compiled, params: Mapping[str, Any]) -> list[Any]:
    return [
        params[name] if convert is None else convert(params[name]) for name, convert in found.binds
    ]
