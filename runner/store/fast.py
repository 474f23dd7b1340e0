"""Hot statements on SQLite run on the driver's cursor, with SQLAlchemy's own SQL and types.

SQLAlchemy spends 40–90 µs of Python per statement around SQLite's own 10–50 µs (execution
context, parameter and result objects), and a case sends about twenty statements. For the
statements every case step sends (a transition's UPDATE … RETURNING, an event's INSERT,
the decision, letter and outbox rows, the reads of a case's head), these functions take
the SQL text and the bind and result conversions SQLAlchemy compiled for the dialect and
run them on the DBAPI connection of the same SQLAlchemy connection, in its transaction:
the same rows, a fraction of the cost (tests/store/test_fast.py compares both ways).

Only where that is plainly the same: SQLite, a statement with neither expanding nor
post-compiled parameters, and a connection without event listeners (which expect
SQLAlchemy's execution context); everything else goes through `Connection.execute`. The
compiled statement's parts are read from SQLAlchemy's own (partly private) attributes: if
a SQLAlchemy release renames them, every statement takes the usual way again, and
test_fast.py says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Connection, Insert, Select, Update
from sqlalchemy.engine.interfaces import Dialect

_Processor = Callable[[Any], Any] | None
_Statement = Insert | Update | Select[Any]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Compiled:
    statement: _Statement  # kept so its id is not reused while it is cached
    sql: str
    binds: tuple[tuple[str, _Processor], ...]  # (parameter name, bind conversion) in order
    values: dict[str, Any]  # values written into the statement (LIMIT 1), unless given
    results: tuple[_Processor, ...]  # result conversion of each column it returns


_compiled: dict[tuple[int, frozenset[str]], _Compiled | None] = {}
_UNSET: Any = object()


def _compile(
    statement: _Statement, dialect: Dialect, keys: frozenset[str]
) -> _Compiled | None:
    # The columns given, as Connection.execute compiles it (an INSERT names only those).
    compiled: Any = statement.compile(dialect=dialect, column_keys=sorted(keys))
    try:
        sql: str = compiled.string
        names = compiled.positiontup
        if names is None or "POSTCOMPILE" in sql or compiled.literal_execute_params:
            return None
        processors = compiled._bind_processors
        values = {
            name: bind.effective_value
            for name, bind in compiled.binds.items()
            if not bind.required and bind.callable is None
        }
        results = tuple(
            column[3]._cached_result_processor(dialect, None)
            for column in compiled._result_columns
        )
    except (AttributeError, IndexError, TypeError):  # another SQLAlchemy: the usual way
        return None
    return _Compiled(
        statement, sql, tuple((name, processors.get(name)) for name in names), values, results
    )


def _prepared(
    conn: Connection, statement: _Statement, params: Mapping[str, Any]
) -> _Compiled | None:
    """The statement compiled for the fast way, or None where it must take the usual way."""
    if conn.dialect.name != "sqlite":
        return None
    if getattr(conn, "_has_events", True) or getattr(conn.engine, "_has_events", True):
        return None
    keys = frozenset(params)
    key = (id(statement), keys)
    found = _compiled.get(key, _UNSET)
    if found is _UNSET:
        found = _compiled[key] = _compile(statement, conn.dialect, keys)
    return found  # type: ignore[no-any-return]


def first_row(
    conn: Connection, statement: _Statement, params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row the statement gives (a SELECT, or RETURNING), converted; None: none."""
    found = _prepared(conn, statement, params)
    if found is None:
        row = conn.execute(statement, params).first()
        return None if row is None else tuple(row)
    row = _run(conn, found, params, lambda cursor: cursor.fetchone())
    return None if row is None else _converted(found, row)


def all_rows(
    conn: Connection, statement: _Statement, params: Mapping[str, Any]
) -> list[tuple[Any, ...]]:
    """Every row the statement gives, converted."""
    found = _prepared(conn, statement, params)
    if found is None:
        return [tuple(row) for row in conn.execute(statement, params)]
    return [_converted(found, row) for row in _run(conn, found, params, lambda c: c.fetchall())]


def _converted(found: _Compiled, row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(
        value if convert is None or value is None else convert(value)
        for value, convert in zip(row, found.results, strict=True)
    )


def insert(conn: Connection, statement: _Statement, params: Mapping[str, Any]) -> int:
    """Run an INSERT of one row; its new primary key."""
    found = _prepared(conn, statement, params)
    if found is None:
        return int(conn.execute(statement, params).inserted_primary_key[0])  # type: ignore[index]
    return int(_run(conn, found, params, lambda cursor: cursor.lastrowid))


def _run(
    conn: Connection, found: _Compiled, params: Mapping[str, Any], take: Callable[[Any], T]
) -> T:
    """Run the compiled statement on the connection's DBAPI cursor; what `take` reads of it."""
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(found.sql, _arguments(found, params))
        return take(cursor)
    finally:
        cursor.close()


def _arguments(found: _Compiled, params: Mapping[str, Any]) -> list[Any]:
    values = found.values
    given = [params[name] if name in params else values[name] for name, _ in found.binds]
    return [
        value if convert is None else convert(value)
        for value, (_, convert) in zip(given, found.binds, strict=True)
    ]
